/** Request header the proxy sets to the requested page's path and query. */
export const PATH_HEADER = "x-runnel-path";
