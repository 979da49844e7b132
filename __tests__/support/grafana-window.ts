// @grafana/data expects a browser: it reads `window.grafanaBootData` (feature toggles) while it
// loads, and `navigator.languages` for the date format of time columns. Node 20 has neither; an
// empty window leaves every toggle off (a default Grafana) and en-US fixes the date format.
const scope = globalThis as { window?: unknown; navigator?: unknown };
scope.window ??= {};
scope.navigator ??= { languages: ["en-US"] };

export {};
