/**
 * The layers of src/action, lowest first. A module may import its own folder and the layers below
 * it, never one above; folders of one layer (codex, github) never import each other. `npm run lint`
 * runs this, so an import that climbs fails CI.
 */
const layers = [['core'], ['settings'], ['codex', 'github'], ['thread'], ['surfaces'], ['kinds'], ['run']]

const folder = (name) => `^src/action/${name}/`
const rules = layers.flatMap((names, rank) => {
  const above = layers.slice(rank + 1).flat()
  return names.map((name) => ({
    name: `${name}-imports-down`,
    comment: `${name}/ is layer ${rank}: it may import ${
      layers.slice(0, rank).flat().join(', ') || 'no other layer'
    }, never ${[...above, ...names.filter((peer) => peer !== name)].join(', ')}`,
    severity: 'error',
    from: { path: folder(name) },
    to: { path: `^src/action/(${[...above, ...names.filter((peer) => peer !== name)].join('|')})/` }
  }))
})

export default {
  forbidden: [
    ...rules,
    {
      name: 'main-is-the-top',
      comment: 'main.ts tells the story of a run; nothing below imports it',
      severity: 'error',
      from: { path: '^src/action/' },
      to: { path: '^src/action/main\\.ts$' }
    },
    {
      name: 'sdk-knows-no-action',
      comment: 'the SDK never imports the action or the Actions toolkit',
      severity: 'error',
      from: { path: '^src/sdk/' },
      to: { path: ['^src/action/', '^node_modules/@actions/', '^node_modules/@octokit/'] }
    },
    {
      name: 'sdk-through-its-export',
      comment: 'the action imports the SDK only through src/sdk/index.ts, the package export',
      severity: 'error',
      from: { path: '^src/action/' },
      to: { path: '^src/sdk/', pathNot: '^src/sdk/index\\.ts$' }
    },
    {
      name: 'no-folder-cycles',
      comment: 'no import cycle, within or between folders',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true }
    }
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] }
  }
}
