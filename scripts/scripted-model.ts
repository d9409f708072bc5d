// The offline scripted model, served until killed, for a workflow that runs the action itself
// (`.github/workflows/self-test.yml`) or a local try-out: prints its base URL on the first line of
// stdout. The model looks at the last commit, then gives the verdict the self-test expects.
import { commandThenMessage, startScriptedModel } from '../__tests__/support/scriptedModel.js'

const verdict = { verdict: 'approve', summary: 'The scripted model approves.' }

const model = await startScriptedModel(commandThenMessage('git log --oneline -1', JSON.stringify(verdict)))
console.log(model.url)
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void model.close())
