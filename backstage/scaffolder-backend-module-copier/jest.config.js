// The tests run the real copier, git and cargo (see src/testing.ts): no test is skipped when they
// are missing, the suite fails instead. SWC strips the types; `npm test` runs tsc first.
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j)sx?$': '@swc/jest' },
  testMatch: ['<rootDir>/src/**/*.test.ts'],
  testTimeout: 900000,
};
