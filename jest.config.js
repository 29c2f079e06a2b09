/**
 * Four projects so each kind of test can be run alone: unit tests need nothing,
 * contract/integration tests need a Docker engine, browser tests need a build.
 */
const swc = [
  '@swc/jest',
  {
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
  },
];

// marked ships only as ES modules; Jest's CommonJS runtime needs it transformed.
const esmOnly = ['marked'];

const project = (name) => ({
  displayName: name,
  testEnvironment: 'node',
  // testMatch rather than roots: a project whose folder does not exist yet simply has no tests.
  testMatch: [`<rootDir>/tests/${name}/**/*.test.ts`],
  transform: { '^.+\\.(t|j)sx?$': swc },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join('|')})/)`],
});

module.exports = {
  projects: ['unit', 'contract', 'integration', 'browser'].map(project),
};
