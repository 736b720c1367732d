/* Sesim map: fills the folium-built Leaflet shell from Sesim's own GeoJSON endpoints.
   Nothing is requested from another host (except tiles, if the deployer configured them), and
   report titles and place names are inserted as text, never as HTML. */
(function () {
  "use strict";

  var settings = null; // one map per page
  var areasRequest = null;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function status(message) {
    var node = document.getElementById("map-status");
    if (node) node.textContent = message || "";
  }

  function withQuery(base, extra) {
    var parts = [settings.query, extra].filter(Boolean).join("&");
    return parts ? base + "?" + parts : base;
  }

  function getJSON(address) {
    return fetch(address, {credentials: "same-origin", headers: {Accept: "application/geo+json"}})
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      });
  }

  function clamp(value, low, high) {
    return Math.max(low, Math.min(high, value));
  }

  function bboxOf(map) {
    var b = map.getBounds();
    return [clamp(b.getWest(), -180, 180), clamp(b.getSouth(), -90, 90),
            clamp(b.getEast(), -180, 180), clamp(b.getNorth(), -90, 90)]
      .map(function (v) { return v.toFixed(5); }).join(",");
  }

  function listLink(address) {
    var link = el("a", null, settings.text.list);
    link.href = address;
    var p = el("p");
    p.appendChild(link);
    return p;
  }

  function popup(props) {
    var box = el("div", "sesim-popup");
    box.appendChild(el("p", "sesim-popup-count", props.label));
    if (props.reports) {
      var list = el("ul");
      props.reports.forEach(function (report) {
        var item = el("li");
        var link = el("a", null, report.title);
        link.href = report.url;
        item.appendChild(link);
        var meta = report.occurred_on;
        if (report.categories.length) meta += " · " + report.categories.join(", ");
        if (report.verified) meta += " · " + settings.text.verified;
        item.appendChild(el("span", "sesim-popup-meta", meta));
        list.appendChild(item);
      });
      box.appendChild(list);
    }
    box.appendChild(listLink(props.list_url));
    return box;
  }

  function marker(feature, latlng) {
    var props = feature.properties;
    if (props.count === 1) {
      return L.circleMarker(latlng, {radius: 9, color: "#fff", weight: 2, fillColor: props.colour,
                                     fillOpacity: 0.95});
    }
    var size = Math.round(28 + Math.min(26, Math.log(props.count) * 4));
    var badge = el("span", "sesim-cluster-count", String(props.count));
    badge.style.backgroundColor = props.colour;
    return L.marker(latlng, {
      icon: L.divIcon({html: badge, className: "sesim-cluster", iconSize: [size, size]}),
      title: props.label,
      riseOnHover: true
    });
  }

  function pointsLayer(map) {
    var layer = L.geoJSON(null, {
      pointToLayer: marker,
      onEachFeature: function (feature, child) {
        child.bindPopup(function () { return popup(feature.properties); });
      }
    });
    var latest = 0;
    var timer = null;

    function refresh() {
      if (!map.hasLayer(layer)) return;
      var ticket = ++latest;
      status(settings.text.loading);
      getJSON(withQuery(settings.points, "bbox=" + bboxOf(map) + "&zoom=" + Math.floor(map.getZoom())))
        .then(function (data) {
          if (ticket !== latest) return;
          layer.clearLayers();
          layer.addData(data);
          status(data.label);
        })
        .catch(function () {
          if (ticket === latest) status(settings.text.failed);
        });
    }

    function soon() {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, 150);
    }

    map.on("moveend", soon);
    layer.on("add", soon);
    layer.on("remove", function () { status(""); });
    return layer;
  }

  function shade(count, max) {
    return count && max ? 0.2 + 0.6 * Math.sqrt(count / max) : 0.06;
  }

  // Permanent labels overlap where districts are small: after each zoom, hide any label that
  // would cover one already shown (the list and table below still name every area).
  function declutter(map) {
    var shown = [];
    var nodes = map.getContainer().querySelectorAll(".sesim-label");
    Array.prototype.forEach.call(nodes, function (node) {
      node.style.visibility = "";
      var box = node.getBoundingClientRect();
      var clash = shown.some(function (other) {
        return box.left < other.right && box.right > other.left &&
               box.top < other.bottom && box.bottom > other.top;
      });
      if (clash) node.style.visibility = "hidden";
      else shown.push(box);
    });
  }

  function label(map, latlng, text, className) {
    return L.tooltip({permanent: true, direction: "center", className: "sesim-label " + className,
                      interactive: false, opacity: 1})
      .setLatLng(latlng).setContent(text);
  }

  // Azerbaijan's border and the Caspian Sea from Sesim's own file: a map that reads as a map
  // without any tile server. With the deployer's tiles only the border is drawn.
  function baseLayer(map) {
    var group = L.layerGroup();
    getJSON(settings.base).then(function (data) {
      L.geoJSON(data, {
        pane: "sesimBase",
        interactive: false,
        style: function (feature) {
          if (feature.properties.kind === "sea") {
            return settings.tiles ? {stroke: false, fillOpacity: 0}
              : {stroke: false, fillColor: "#a9cde0", fillOpacity: 1};
          }
          return {color: "#5b4a6e", weight: 2, fillColor: "#ffffff",
                  fillOpacity: settings.tiles ? 0 : 1};
        }
      }).addTo(group);
      data.features.forEach(function (feature) {
        var at = feature.properties.label_at;
        var text = settings.text[feature.properties.id];
        if (at && text) {
          group.addLayer(label(map, [at[1], at[0]], text, "sesim-label-" + feature.properties.kind));
        }
      });
      declutter(map);
    }).catch(function () { /* the areas and reports still show */ });
    return group;
  }

  function areasLayer(map) {
    var max = 0;
    var labels = L.layerGroup();
    var layer = L.geoJSON(null, {
      pane: "sesimAreas",
      style: function (feature) {
        return {color: "#4b2a72", weight: feature.properties.parent ? 1 : 1.5, fillColor: "#6b3fa0",
                fillOpacity: shade(feature.properties.count, max)};
      },
      onEachFeature: function (feature, child) {
        var props = feature.properties;
        var text = props.name + ": " + props.label;
        if (props.label_at) {
          labels.addLayer(label(map, [props.label_at[1], props.label_at[0]],
                                props.name + " · " + props.count, "sesim-label-area"));
        }
        child.bindPopup(function () {
          var box = el("div", "sesim-popup");
          box.appendChild(el("p", "sesim-popup-count", text));
          box.appendChild(listLink(props.list_url));
          return box;
        });
      }
    });
    var loaded = false;
    layer.on("add", function () {
      labels.addTo(map);
      var legendBox = document.getElementById("map-legend");
      if (legendBox) legendBox.hidden = false;
      if (loaded) return;
      loaded = true;
      if (!areasRequest) areasRequest = getJSON(withQuery(settings.areas, ""));
      areasRequest.then(function (data) {
        max = data.max;
        layer.addData(data);
        declutter(map);
      }).catch(function () { loaded = false; });
    });
    layer.on("remove", function () {
      labels.remove();
      var legendBox = document.getElementById("map-legend");
      if (legendBox) legendBox.hidden = true;
    });
    return layer;
  }

  window.SesimMap = {
    setup: function (map, options) {
      settings = options;
      map.attributionControl.setPrefix("Leaflet");
      if (options.sources) map.attributionControl.addAttribution(options.sources);
      map.createPane("sesimBase").style.zIndex = 250; // over the deployer's tiles, under the areas
      map.createPane("sesimAreas").style.zIndex = 350; // under markers and clusters
      map.on("zoomend", function () { declutter(map); });
      baseLayer(map).addTo(map);
      Array.prototype.forEach.call(document.querySelectorAll(".map-js-only"), function (node) {
        node.hidden = false;
      });
    },
    points: function (map) { return pointsLayer(map); },
    choropleth: function (map) { return areasLayer(map); }
  };
}());
