/** The service's version, reported by `/status/check/basic/` and the OpenAPI document (SemVer). */
export const SERVICE_VERSION = '0.1.0';
