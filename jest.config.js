/** Types are checked once by `tsc --noEmit` in `npm test`; ts-jest only transpiles. */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\.[tj]sx?$": ["ts-jest", { tsconfig: "tsconfig.jest.json" }],
  },
  // The elasticstack bindings are ESM-only: let ts-jest turn them into CommonJS.
  transformIgnorePatterns: ["/node_modules/(?!@cdktf-providers/)"],
  // @grafana/data's CommonJS build requires two ESM-only d3 packages; their UMD builds (the
  // packages' own "umd" export) load as CommonJS without a transform.
  moduleNameMapper: { "^(d3-color|d3-interpolate)$": "<rootDir>/node_modules/$1/dist/$1.js" },
  testTimeout: 30000,
  reporters: ["default", "<rootDir>/__tests__/support/summary-reporter.cjs"],
};
