// The client's identity on the wire: `picket/<version>` User-Agent (a `name/version` pair, which the LAPI
// login requires). Owns: the version string of the client library.

export const CLIENT_VERSION = '0.1.0';
export const CLIENT_USER_AGENT = `picket/v${CLIENT_VERSION}`;
