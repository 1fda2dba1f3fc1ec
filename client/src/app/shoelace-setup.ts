// Shoelace's built-in "system" icons (dialog close, menu check, password eye…) are data: URLs that sl-icon
// fetch()es — which the gateway's CSP (connect-src 'self') blocks. The build writes them as same-origin files.
import { registerIconLibrary } from '@shoelace-style/shoelace/dist/utilities/icon-library.js';

registerIconLibrary('system', { resolver: (name) => `/shoelace/system/${encodeURIComponent(name)}.svg` });
