// The modules the bundles (scripts/bundle.mjs) leave out and load from node_modules at run
// time: koffi is a native addon (its platform package holds the .node file), dbus-next is the
// D-Bus library only non-root callers need (loaded on first use). scripts/runtime-modules.mjs
// installs exactly these and their dependencies.
export const BUNDLE_EXTERNALS = ['koffi', 'dbus-next'];
