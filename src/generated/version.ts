// Generated from package.json by `npm run generate`; do not edit.
export const PRODUCT_VERSION = "0.1.0";
