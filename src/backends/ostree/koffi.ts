/** koffi, loaded lazily: the loader lives in util (the client's descriptor passing needs it too). */
export { koffi, type Ptr } from '../../util/koffi.js';
