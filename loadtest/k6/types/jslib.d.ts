// k6 fetches jslib modules by URL at run time; this tells the type-check what the summary one exports.
declare module 'https://jslib.k6.io/k6-summary/0.1.0/index.js' {
  export function textSummary(data: unknown, options?: { indent?: string; enableColors?: boolean }): string;
}
