// Bundles entry.mjs and tiles.mjs with esbuild, and trims Leaflet's dist/leaflet.css, into the
// folder given (plugins/map/static/vendor/leaflet/). Run by build.sh, which provides
// node_modules/leaflet (the checked tarball) and esbuild.
import * as esbuild from 'esbuild';
import {minify} from 'terser';
import {readFileSync, writeFileSync} from 'node:fs';

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

// esbuild joins the modules; terser minifies (a few hundred bytes smaller after brotli than
// esbuild's own minifier: every byte counts on 2G).
for (const [entry, name] of [['entry.mjs', 'leaflet.js'], ['tiles.mjs', 'leaflet-tiles.js']]) {
	const bundled = await esbuild.build({
		entryPoints: [entry],
		bundle: true,
		format: 'iife',
		globalName: 'L', // a classic script's top-level ``var L``: window.L, as Leaflet's own build
		target: 'es2015',
		legalComments: 'none',
		plugins: [stubs],
		write: false,
		logLevel: 'warning'
	});
	const minified = await minify(bundled.outputFiles[0].text, {
		compress: {passes: 2},
		mangle: true,
		format: {comments: false, preamble: banner}
	});
	writeFileSync(`${OUT}/${name}`, minified.code);
}

// leaflet.css without the rules for what the builds leave out or the map never shows, and without
// images (the layer switch's icon is drawn inline by map.css; markers are Sesim's own), minified.
// Every rule kept is Leaflet's own, unchanged.
const UNUSED = new RegExp([
	'leaflet-image-layer', 'canvas', 'leaflet-vml-shape', '\\.lvml', 'leaflet-oldie', // not built
	'leaflet-marker-draggable', 'leaflet-marker-shadow', 'leaflet-default-icon-path', // no default marker
	'leaflet-div-icon', // every divIcon has Sesim's class
	'leaflet-attribution-flag', // the attribution's prefix is text
	'leaflet-tooltip-(top|bottom|left|right)' // every tooltip is centred
].join('|'));
let css = readFileSync('node_modules/leaflet/dist/leaflet.css', 'utf8')
	.replace(/\/\*[\s\S]*?\*\//g, '')
	.replace(/@media print\s*\{[\s\S]*?\}\s*\}/, ''); // keeps controls' backgrounds on paper: the map is not printed
const kept = [];
for (const rule of css.split('}')) {
	if (!rule.trim()) { continue; }
	const [head, body] = rule.split('{');
	const selectors = head.split(',').map((s) => s.trim()).filter((s) => !UNUSED.test(s));
	const declarations = body.split(';').map((d) => d.trim()).filter((d) => d && !d.includes('url('));
	if (selectors.length && declarations.length) {
		kept.push(`${selectors.join(',')}{${declarations.join(';')}}`);
	}
}
const minified = await esbuild.transform(kept.join('\n'), {loader: 'css', minify: true});
writeFileSync(`${OUT}/leaflet.css`, `/* Leaflet ${version}'s leaflet.css, trimmed: see ../README.md */\n${minified.code}`);
