// Three projects, one runner: `unit` needs nothing but Node; `integration` needs the harness's real
// kube-apiserver; `e2e` needs the full world (root, network namespaces, routers). `npm test` runs all three
// through scripts/test.sh, which sets the world up first.
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] };
// e2e/.run holds live control planes' etcd data, whose `*.snap` files jest would otherwise report as obsolete
// snapshots (exit 1); e2e/.cache holds built binaries.
const common = {
  testEnvironment: 'node',
  transform,
  moduleFileExtensions: ['ts', 'js', 'json'],
  modulePathIgnorePatterns: ['<rootDir>/e2e/\\.run/', '<rootDir>/e2e/\\.cache/'],
};

module.exports = {
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '\\.int\\.test\\.ts$', '\\.e2e\\.test\\.ts$', '/dist/'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/**/*.int.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '/dist/'],
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/**/*.e2e.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '/dist/'],
    },
  ],
};
