/**
 * The architecture check (npm run lint): the arrows of the layout in README "Architecture" and
 * CONTRIBUTING.md. Type-only imports count: a type is a dependency too.
 */
const ADAPTERS = '^bot/(wecom|dingtalk|local|sms)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'An import cycle: split the shared part into its own module.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'domain-is-pure',
      comment: 'domain/ is pure business logic: no database, no transport, no texts, no I/O.',
      severity: 'error',
      from: { path: '^domain/' },
      to: {
        path: [
          '^(bot|cards|config|core|db|handlers|integrations|jobs|texts|web)/',
          '^node:(fs|net|http|https|child_process)',
        ],
      },
    },
    {
      name: 'adapters-import-core-not-handlers',
      comment: 'Adapters hand neutral events to the bot and deliver effects; they never reach into handlers/.',
      severity: 'error',
      from: { path: ADAPTERS },
      to: { path: ['^handlers/', '^jobs/', '^web/'] },
    },
    {
      name: 'core-is-neutral',
      comment: 'core/ is the contract between bot/ and handlers/: it knows neither side.',
      severity: 'error',
      from: { path: '^core/' },
      to: { path: '^(bot|handlers|integrations|jobs|web)/' },
    },
    {
      name: 'handlers-know-no-transport',
      comment: 'Handlers see neutral events and record effects; pages and schedules live elsewhere.',
      severity: 'error',
      from: { path: '^handlers/' },
      to: { path: '^(bot|jobs|web)/' },
    },
    {
      name: 'cards-are-neutral',
      comment: 'cards/ builds and renders cards; it reads no database and runs no use case.',
      severity: 'error',
      from: { path: '^cards/' },
      to: { path: '^(bot|core|db|handlers|integrations|jobs|web)/' },
    },
    {
      name: 'texts-are-words-only',
      comment: 'texts/ holds what the product says; it formats values it is given and reads nothing.',
      severity: 'error',
      from: { path: '^texts/' },
      to: { path: '^(bot|cards|core|db|handlers|integrations|jobs|web)/' },
    },
    {
      name: 'integrations-are-ports',
      comment: 'integrations/ talk to outside systems; they do not run use cases or know the chat platforms.',
      severity: 'error',
      from: { path: '^integrations/' },
      to: { path: '^(bot|handlers|jobs|web)/' },
    },
    {
      name: 'db-below-use-cases',
      comment: 'db/ is schema and queries; use cases sit above it.',
      severity: 'error',
      from: { path: '^db/' },
      to: { path: '^(bot|cards|core|handlers|integrations|jobs|web)/' },
    },
    {
      name: 'web-reads-no-adapter',
      comment: 'Pages read through handlers/ and db/, never through a platform adapter.',
      severity: 'error',
      from: { path: '^web/' },
      to: { path: [ADAPTERS, '^jobs/'] },
    },
    {
      name: 'jobs-schedule-no-transport',
      comment: 'Jobs schedule handlers; they do not reach a platform adapter or a page.',
      severity: 'error',
      from: { path: '^jobs/' },
      to: { path: [ADAPTERS, '^web/'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(tests|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
