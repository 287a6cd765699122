// HTTP-01 tokens become file names in the webroot: only this alphabet (RFC 8555 base64url).
export const ACME_TOKEN_PATTERN = /^[A-Za-z0-9_-]+$/;
