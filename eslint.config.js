import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "web/vendor/**", ".folio/**", "coverage/**", "test/.tmp/**", "bench/out/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    files: ["web/**/*.js"],
    languageOptions: { globals: { window: "readonly", document: "readonly", fetch: "readonly", console: "readonly", TextDecoder: "readonly", URL: "readonly", FormData: "readonly", FileReader: "readonly" } },
  },
);
