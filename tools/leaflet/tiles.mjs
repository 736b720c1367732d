// leaflet-tiles.js: Sesim's Leaflet (entry.mjs) with Leaflet's tile layers, for a deployer who
// configured tiles (SESIM_MAP_TILE_URL or SESIM_MAP_TILE_DIR): folium's shell calls L.tileLayer.
export * from './entry.mjs';
export {GridLayer, gridLayer} from 'leaflet/src/layer/tile/GridLayer';
export {TileLayer, tileLayer} from 'leaflet/src/layer/tile/TileLayer';
