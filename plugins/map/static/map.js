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
      getJSON(withQuery(settings.points, "bbox=" + bboxOf(map) + "&zoom=" + map.getZoom()))
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
    return count && max ? 0.15 + 0.7 * Math.sqrt(count / max) : 0.04;
  }

  function legend() {
    var control = L.control({position: "bottomright"});
    control.onAdd = function () {
      var box = el("div", "sesim-legend");
      box.appendChild(el("span", null, settings.text.fewer));
      [0.15, 0.4, 0.65, 0.85].forEach(function (opacity) {
        var swatch = el("span", "sesim-legend-swatch");
        swatch.style.opacity = String(opacity);
        box.appendChild(swatch);
      });
      box.appendChild(el("span", null, settings.text.more));
      return box;
    };
    return control;
  }

  function areasLayer(map, choropleth) {
    var max = 0;
    var key = legend();
    var layer = L.geoJSON(null, {
      pane: "sesimAreas",
      interactive: choropleth,
      attribution: settings.approximate ? settings.text.outlines : null,
      style: function (feature) {
        if (!choropleth) {
          return {color: "#6f6a78", weight: 1, fillColor: "#ffffff", fillOpacity: 0.7};
        }
        return {color: "#4b2a72", weight: 1, fillColor: "#6b3fa0",
                fillOpacity: shade(feature.properties.count, max)};
      },
      onEachFeature: function (feature, child) {
        if (!choropleth) return;
        var props = feature.properties;
        var label = el("span", null, props.name + ": " + props.label);
        child.bindTooltip(label, {sticky: true});
        child.bindPopup(function () {
          var box = el("div", "sesim-popup");
          box.appendChild(el("p", "sesim-popup-count", props.name + ": " + props.label));
          box.appendChild(listLink(props.list_url));
          return box;
        });
      }
    });
    var loaded = false;
    layer.on("add", function () {
      if (choropleth) key.addTo(map);
      if (loaded) return;
      loaded = true;
      if (!areasRequest) areasRequest = getJSON(withQuery(settings.areas, ""));
      areasRequest.then(function (data) {
        max = data.max;
        layer.addData(data);
      }).catch(function () { loaded = false; });
    });
    layer.on("remove", function () { if (choropleth) key.remove(); });
    return layer;
  }

  window.SesimMap = {
    setup: function (map, options) {
      settings = options;
      map.attributionControl.setPrefix("Leaflet");
      map.createPane("sesimAreas").style.zIndex = 350; // under markers and clusters
    },
    points: function (map) { return pointsLayer(map); },
    choropleth: function (map) { return areasLayer(map, true); },
    outlines: function (map) { return areasLayer(map, false); }
  };
}());
