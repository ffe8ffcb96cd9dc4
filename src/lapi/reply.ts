// Writing Local API responses (spec lapi.md §2, §2.1): JSON bodies with `application/json; charset=utf-8`
// and a Content-Length, empty bodies, the two error shapes (`{"message":…}` and the JWT layer's
// `{"code":401,"message":…}`). Responses are never compressed.

import type { ServerResponse } from 'node:http';

export const JSON_TYPE = 'application/json; charset=utf-8';

/** A JSON text (already serialised) with its status. */
export function sendJson(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'Content-Type': JSON_TYPE, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** Status with an empty body (404, 405, heartbeat's 200, 201 of register, HEAD answers…). */
export function sendEmpty(res: ServerResponse, status: number): void {
  res.writeHead(status, { 'Content-Length': 0 });
  res.end();
}

/** `{"message":"…"}` */
export function sendMessage(res: ServerResponse, status: number, message: string): void {
  sendJson(res, status, '{"message":' + JSON.stringify(message) + '}');
}

/** gin-jwt error shape: `{"code":401,"message":"…"}` */
export function sendJwtError(res: ServerResponse, message: string, status = 401): void {
  sendJson(res, status, '{"code":' + status + ',"message":' + JSON.stringify(message) + '}');
}

export const FORBIDDEN_BODY = '{"message":"access forbidden"}';
export function sendForbidden(res: ServerResponse): void {
  sendJson(res, 403, FORBIDDEN_BODY);
}
