// ESLint (flat config): typescript-eslint with type information for the rules that need it
// (floating promises), import cycles, and type-only imports written as such. Formatting is
// prettier's; `npm run lint` runs both.
import js from '@eslint/js'
import importX from 'eslint-plugin-import-x'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      'miniprogram_dist/**',
      'demo/**',
      'coverage/**',
      '**/*.js',
      '**/*.mjs',
      '**/*.d.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  // Tells import-x that .ts files are modules (parsed with typescript-eslint); without it
  // no-cycle follows only .js and finds nothing.
  importX.flatConfigs.typescript,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: {
        // The Node side, the mini program side and the browser pages are typed apart (the mini
        // program has no Node types, server/web has the DOM);
        // each file is checked with the first project that includes it.
        project: ['./tsconfig.json', './tsconfig.miniprogram.json', './server/web/tsconfig.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    settings: {
      'import-x/resolver-next': [
        importX.createNodeResolver({ extensions: ['.ts', '.js', '.json'] }),
      ],
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { prefer: 'type-imports', fixStyle: 'inline-type-imports' },
      ],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      // `declare namespace` beside `export =` carries the entry's types (index.ts).
      '@typescript-eslint/no-namespace': ['error', { allowDeclarations: true }],
      '@typescript-eslint/no-require-imports': ['error', { allowAsImport: true }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
  {
    // Tests, their kit and benchmarks drive untyped things (wx shims, JSON frames) and load built
    // files by computed paths (miniprogram_dist, the demo) the way the platform does: require is
    // the tool.
    files: ['test/**/*.ts', 'testkit/**/*.ts', 'bench/**/*.ts'],
    linterOptions: { reportUnusedDisableDirectives: 'off' },
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
)
