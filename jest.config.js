/**
 * One project per kind of test so each can be run alone: unit tests need
 * nothing (not even Docker), contract/integration tests need a Docker engine,
 * browser tests need a build.
 */
const transform = require.resolve('./tests/ts-transform.js');

// marked ships only as ES modules; Jest's CommonJS runtime needs it transformed.
const esmOnly = ['marked'];

const project = (name) => ({
  displayName: name,
  testEnvironment: 'node',
  // testMatch rather than roots: a project whose folder does not exist yet simply has no tests.
  testMatch: [`<rootDir>/tests/${name}/**/*.test.ts`],
  transform: { '^.+\\.(t|j)sx?$': transform },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join('|')})/)`],
});

module.exports = {
  // backend-contract: the LabBackend conformance suite, against the fake and the real engine.
  projects: ['unit', 'contract', 'backend-contract', 'security', 'integration', 'browser', 'reliability'].map(project),
};
