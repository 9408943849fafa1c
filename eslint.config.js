// ESLint (flat config): typescript-eslint's recommended rules on every source file. `npm run lint`.
import js from '@eslint/js'
import globals from 'globals'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['node_modules/', 'bench/.cache/', 'bench/results/', 'coverage/', 'test-results/', '.lookout/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // a leading underscore marks a value left out on purpose (a destructured field dropped, an unused callback argument)
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
)
