import { isPlainObject } from '../../shared/checks.js'

/** Replaces every registered secret in text the action publishes, even when the model repeats one. */
export class Redactor {
  readonly #secrets = new Set<string>()

  /** Secrets shorter than this are not masked: they would blank out ordinary words. */
  static readonly MIN_LENGTH = 4

  add(secret: string | undefined): void {
    const value = secret?.trim()
    if (value && value.length >= Redactor.MIN_LENGTH) this.#secrets.add(value)
  }

  /** Whether the text holds a registered secret. */
  holds(text: string): boolean {
    return [...this.#secrets].some((secret) => text.includes(secret))
  }

  redact(text: string): string {
    let result = text
    // longest first, so a secret containing another is masked whole
    for (const secret of [...this.#secrets].sort((a, b) => b.length - a.length))
      result = result.split(secret).join('***')
    return result
  }

  /** Redacts every string (keys included) inside a JSON-like value. */
  redactValue(value: unknown): unknown {
    if (typeof value === 'string') return this.redact(value)
    if (Array.isArray(value)) return value.map((entry) => this.redactValue(entry))
    if (isPlainObject(value)) {
      return Object.fromEntries(
        Object.entries(value).map(([key, entry]) => [this.redact(key), this.redactValue(entry)])
      )
    }
    return value
  }
}
