// Reading the v1 API: URLs from parameter objects, JSON with problem+json errors made readable.

/** An API answer other than 2xx: the problem's `detail` as the message. */
export class ApiError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

/**
 * "/v1/feeders?utility=coned&format=csv" from a path and parameters; empty values are left out and
 * arrays repeat the parameter.
 */
export function apiUrl(path, params = {}) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    for (const item of [value].flat()) {
      if (item != null && item !== "") query.append(name, item);
    }
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

/** The IDs the explorer puts into API paths, with the patterns of the API's own path parameters. */
export const ID_PATTERNS = {
  feeder: /^[0-9a-fA-F]{32}$/,
  run: /^\d{8}T\d{6}Z-[0-9a-f]{6}$/,
};

/**
 * "/v1/refreshes/<run id>": an API path ending in an ID. IDs come from the page's URL, which
 * anyone can write, so one that does not match its kind's pattern is refused before it becomes a
 * URL: "../../refreshData" would otherwise fetch another endpoint.
 */
export function idPath(base, kind, id) {
  if (!ID_PATTERNS[kind].test(id)) throw new ApiError(400, `Not a ${kind} ID: ${id}`);
  return `${base}/${encodeURIComponent(id)}`;
}

/** GET a JSON body; `signal` cancels it when the reader has moved on to another page. */
export async function getJson(path, params = {}, signal = undefined) {
  const response = await fetch(apiUrl(path, params), { headers: { Accept: "application/json" }, signal });
  if (!response.ok) {
    let detail = `${response.status} ${response.statusText}`;
    try {
      detail = (await response.json()).detail ?? detail;
    } catch {
      // not a problem+json body: the status line says it
    }
    throw new ApiError(response.status, detail);
  }
  return response.json();
}
