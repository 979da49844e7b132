import js from "@eslint/js";
import tseslint from "typescript-eslint";
import prettier from "eslint-config-prettier";

export default tseslint.config(
  { ignores: [".gen/", "cdktf.out/", "node_modules/", "dist/", "coverage/", "docs/api/"] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  prettier,
  // CommonJS files (jest config, the bench's preload) use require by nature.
  { files: ["**/*.cjs", "jest.config.js"], rules: { "@typescript-eslint/no-require-imports": "off" } },
  {
    languageOptions: {
      globals: {
        process: "readonly",
        console: "readonly",
        require: "readonly",
        module: "writable",
        __dirname: "readonly",
        URL: "readonly",
      },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
    },
  },
);
