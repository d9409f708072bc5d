import type { InputName } from './constants.js'

/** A bad input: the message names the input and says what is wrong, on one line. */
export class InputError extends Error {
  constructor(
    readonly input: InputName,
    problem: string
  ) {
    super(`Input "${input}": ${problem}`)
    this.name = 'InputError'
  }
}
