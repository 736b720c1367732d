// Sesim's Leaflet (leaflet.js): the parts of Leaflet 1.9.4 the map page uses, under the names
// Leaflet gives them (``L.map``, ``L.geoJSON``, ``L.control.layers``, ``L.divIcon`` ...), as the
// global ``L``. What folium's shell (plugins/map/shell.py) and plugins/map/static/map.js call is
// listed in plugins/map/static/vendor/README.md. Left out: the Canvas renderer, Rectangle,
// image/video/SVG overlays, WMS, the CRSs and projections other than EPSG:3857, marker dragging,
// IE's VML, tap-hold; and tile layers, which only leaflet-tiles.js (tiles.mjs) has.

import {version} from 'leaflet/package.json';
export {version};

// core, dom, geometry: as Leaflet's own index files
export * from 'leaflet/src/core/index';
export * from 'leaflet/src/dom/index';
export * from 'leaflet/src/geometry/index';

// geo: LatLng and bounds, and only the web map's CRS (a map is made with it by default)
export {LatLng, toLatLng as latLng} from 'leaflet/src/geo/LatLng';
export {LatLngBounds, toLatLngBounds as latLngBounds} from 'leaflet/src/geo/LatLngBounds';
import {CRS} from 'leaflet/src/geo/crs/CRS';
import {Earth} from 'leaflet/src/geo/crs/CRS.Earth';
import {EPSG3857, EPSG900913} from 'leaflet/src/geo/crs/CRS.EPSG3857';
import {SphericalMercator} from 'leaflet/src/geo/projection/Projection.SphericalMercator';
CRS.Earth = Earth;
CRS.EPSG3857 = EPSG3857;
CRS.EPSG900913 = EPSG900913;
export {CRS};
export var Projection = {SphericalMercator: SphericalMercator};

// controls: all of Leaflet's (zoom, attribution, scale, layers)
export * from 'leaflet/src/control/index';

// layers: groups, GeoJSON, popups and tooltips, markers, SVG paths (tiles: see tiles.mjs)
export {Layer} from 'leaflet/src/layer/Layer';
export {LayerGroup, layerGroup} from 'leaflet/src/layer/LayerGroup';
export {FeatureGroup, featureGroup} from 'leaflet/src/layer/FeatureGroup';
import {GeoJSON, geoJSON, geoJson, geometryToLayer, coordsToLatLng, coordsToLatLngs,
	latLngToCoords, latLngsToCoords, getFeature, asFeature} from 'leaflet/src/layer/GeoJSON';
GeoJSON.geometryToLayer = geometryToLayer;
GeoJSON.coordsToLatLng = coordsToLatLng;
GeoJSON.coordsToLatLngs = coordsToLatLngs;
GeoJSON.latLngToCoords = latLngToCoords;
GeoJSON.latLngsToCoords = latLngsToCoords;
GeoJSON.getFeature = getFeature;
GeoJSON.asFeature = asFeature;
export {GeoJSON, geoJSON, geoJson};
export {DivOverlay} from 'leaflet/src/layer/DivOverlay';
export {Popup, popup} from 'leaflet/src/layer/Popup';
export {Tooltip, tooltip} from 'leaflet/src/layer/Tooltip';
export * from 'leaflet/src/layer/marker/index';
export {Renderer} from 'leaflet/src/layer/vector/Renderer';
import {SVG, create, pointsToPath, svg} from 'leaflet/src/layer/vector/SVG';
SVG.create = create;
SVG.pointsToPath = pointsToPath;
export {SVG, svg};
export {Path} from 'leaflet/src/layer/vector/Path';
export {CircleMarker, circleMarker} from 'leaflet/src/layer/vector/CircleMarker';
export {Circle, circle} from 'leaflet/src/layer/vector/Circle';
export {Polyline, polyline} from 'leaflet/src/layer/vector/Polyline';
export {Polygon, polygon} from 'leaflet/src/layer/vector/Polygon';

// the map and the handlers that make it move: drag, keyboard, touch, wheel, double-click and
// shift-drag (box) zoom. Not TapHold: it only turns a long touch in iOS Safari into a
// ``contextmenu`` event, and nothing on the map listens for one.
import {Map} from 'leaflet/src/map/Map';
import {BoxZoom} from 'leaflet/src/map/handler/Map.BoxZoom';
import {DoubleClickZoom} from 'leaflet/src/map/handler/Map.DoubleClickZoom';
import {Drag} from 'leaflet/src/map/handler/Map.Drag';
import {Keyboard} from 'leaflet/src/map/handler/Map.Keyboard';
import {ScrollWheelZoom} from 'leaflet/src/map/handler/Map.ScrollWheelZoom';
import {TouchZoom} from 'leaflet/src/map/handler/Map.TouchZoom';
Map.BoxZoom = BoxZoom;
Map.DoubleClickZoom = DoubleClickZoom;
Map.Drag = Drag;
Map.Keyboard = Keyboard;
Map.ScrollWheelZoom = ScrollWheelZoom;
Map.TouchZoom = TouchZoom;
export {Map, createMap as map} from 'leaflet/src/map/Map';

// Leaflet's layer/vector/Renderer.getRenderer.js without the Canvas renderer: the map never sets
// preferCanvas, so every path is drawn in SVG, as before.
Map.include({
	getRenderer: function (layer) {
		var renderer = layer.options.renderer || this._getPaneRenderer(layer.options.pane) ||
			this.options.renderer || this._renderer;
		if (!renderer) {
			renderer = this._renderer = this._createRenderer();
		}
		if (!this.hasLayer(renderer)) {
			this.addLayer(renderer);
		}
		return renderer;
	},

	_getPaneRenderer: function (name) {
		if (name === 'overlayPane' || name === undefined) {
			return false;
		}
		var renderer = this._paneRenderers[name];
		if (renderer === undefined) {
			renderer = this._createRenderer({pane: name});
			this._paneRenderers[name] = renderer;
		}
		return renderer;
	},

	_createRenderer: function (options) {
		return svg(options);
	}
});
