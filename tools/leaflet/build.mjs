// Bundles entry.mjs and tiles.mjs with esbuild into ../../plugins/map/static/vendor/leaflet/.
// Run by build.sh, which provides node_modules/leaflet (the checked tarball) and esbuild.
import * as esbuild from 'esbuild';
import {readFileSync} from 'node:fs';

const OUT = process.argv[2];
const version = JSON.parse(readFileSync('node_modules/leaflet/package.json', 'utf8')).version;
const banner = `/* Leaflet ${version}, a JS library for interactive maps. https://leafletjs.com
 (c) 2010-2023 Vladimir Agafonkin, (c) 2010-2011 CloudMade. BSD-2-Clause, see LICENSE.
 Sesim's trimmed build: see ../README.md and tools/leaflet/. */`;

// Two modules Leaflet imports for features the map never uses, replaced by empty ones: both are
// only used behind a check (``if (MarkerDrag)``, ``if (Browser.vml)``) that is then false.
const STUBS = {
	'./Marker.Drag': 'export var MarkerDrag;', // dragging a marker
	'./SVG.VML': 'export var vmlMixin, vmlCreate;' // Internet Explorer 8's VML
};
const stubs = {
	name: 'stubs',
	setup(build) {
		build.onResolve({filter: /^\.\/(Marker\.Drag|SVG\.VML)$/}, (args) => ({path: args.path, namespace: 'stub'}));
		build.onLoad({filter: /.*/, namespace: 'stub'}, (args) => ({contents: STUBS[args.path], loader: 'js'}));
	}
};

for (const [entry, name] of [['entry.mjs', 'leaflet.js'], ['tiles.mjs', 'leaflet-tiles.js']]) {
	await esbuild.build({
		entryPoints: [entry],
		bundle: true,
		format: 'iife',
		globalName: 'L', // a classic script's top-level ``var L``: window.L, as Leaflet's own build
		minify: true,
		target: 'es2015',
		legalComments: 'none',
		banner: {js: banner},
		plugins: [stubs],
		outfile: `${OUT}/${name}`,
		logLevel: 'warning'
	});
}
