import { describe, expect, it } from 'vitest'
import { checkGraphQL, checkRequest, checkResponse, findOperation } from './github/contract.js'

const at = (path: string): URL => new URL(path, 'http://127.0.0.1')
const rules = (verdict: { violations: Array<{ rule: string; detail: string }> }): string[] =>
  verdict.violations.map((violation) => `${violation.rule}: ${violation.detail}`)

describe("the contract with GitHub's REST API", () => {
  it('routes a path to the most literal template and refuses what GitHub has no operation for', () => {
    expect(findOperation('GET', '/repos/o/r/pulls/comments/5')?.template).toBe(
      '/repos/{owner}/{repo}/pulls/comments/{comment_id}'
    )
    const unknown = checkRequest('POST', at('/repos/o/r/pulls/5/review-threads'), {}, 'user')
    expect(rules(unknown)).toEqual(['operation exists: GitHub has no such operation'])
    expect(unknown.answer?.status).toBe(404)
  })

  it('refuses an installation token what GitHub does not enable for apps, with its 403', () => {
    for (const [method, path] of [
      ['GET', '/user'],
      ['POST', '/repos/o/r/pulls/5/comments/6/replies']
    ] as const) {
      const verdict = checkRequest(method, at(path), method === 'POST' ? { body: 'x' } : undefined, 'installation')
      expect(verdict.violations.map((violation) => violation.rule)).toEqual(['enabled for GitHub Apps'])
      expect(verdict.answer).toMatchObject({ status: 403, data: { message: 'Resource not accessible by integration' } })
      expect(checkRequest(method, at(path), method === 'POST' ? { body: 'x' } : undefined, 'user').violations).toEqual(
        []
      )
    }
  })

  it('checks bodies: required fields, types, enums, undeclared and deprecated fields', () => {
    const path = at('/repos/o/r/pulls/5/comments')
    const reply = { body: 'Fixed', in_reply_to: 2 ** 31 + 5, commit_id: 'a'.repeat(40), path: 'a.ts' }
    expect(checkRequest('POST', path, reply, 'installation').violations).toEqual([])
    expect(rules(checkRequest('POST', path, { body: 'x', in_reply_to: 7 }, 'installation'))).toEqual([
      "body valid: / must have required property 'commit_id'; / must have required property 'path'"
    ])
    expect(rules(checkRequest('POST', path, { ...reply, note: 'x' }, 'installation'))).toEqual([
      'body valid: / must NOT have additional properties (note)'
    ])
    const deprecated = checkRequest('POST', path, { ...reply, position: 3 }, 'installation')
    expect(rules(deprecated)).toEqual(['not deprecated: body field /position is deprecated'])
    // GitHub still serves a deprecated field: the request goes through, the violation stays
    expect(deprecated.answer).toBeUndefined()
    const review = checkRequest('POST', at('/repos/o/r/pulls/5/reviews'), { event: 'LGTM' }, 'user')
    expect(rules(review)).toEqual(['body valid: /event must be equal to one of the allowed values'])
    expect(review.answer?.status).toBe(422)
  })

  it('checks query and path parameters as the schema types them, and refuses undeclared ones', () => {
    expect(
      checkRequest('GET', at('/repos/o/r/issues/5/comments?per_page=100&page=2'), undefined, 'user').violations
    ).toEqual([])
    expect(rules(checkRequest('GET', at('/repos/o/r/issues/5/comments?page=two&sort=x'), undefined, 'user'))).toEqual([
      'parameters valid: page=two: / must be integer; query parameter sort is not declared'
    ])
    expect(rules(checkRequest('GET', at('/repos/o/r/pulls/seven'), undefined, 'user'))).toEqual([
      'parameters valid: pull_number=seven: / must be integer'
    ])
  })

  it("checks the server's answers against the documented schema for their status", () => {
    const operation = findOperation('POST', '/repos/o/r/issues/comments/5/reactions')!
    const reaction = {
      id: 2 ** 31 + 9,
      node_id: 'REA_1',
      user: null,
      content: 'eyes',
      created_at: '2026-01-01T00:00:00Z'
    }
    expect(checkResponse('POST x', operation, 201, reaction)).toEqual([])
    expect(checkResponse('POST x', operation, 201, { ...reaction, content: 'EYES', subject: 'x' })).toMatchObject([
      {
        rule: 'response valid',
        detail: expect.stringMatching(/additional properties \(subject\); \/content must be equal/)
      }
    ])
    expect(checkResponse('POST x', operation, 202, reaction)).toMatchObject([
      { detail: expect.stringMatching(/no 202/) }
    ])
  })
})

describe("the contract with GitHub's GraphQL schema", () => {
  const threads = (selection: string, first = '100'): string =>
    `query($owner: String!, $repo: String!, $number: Int!) { repository(owner: $owner, name: $repo) {
      pullRequest(number: $number) { reviewThreads(first: ${first}) { nodes { ${selection} } } } } }`
  const variables = { owner: 'o', repo: 'r', number: 5 }

  it('takes a valid document with typed variables', () => {
    const verdict = checkGraphQL({ query: threads('id comments(first: 1) { nodes { fullDatabaseId } }'), variables })
    expect(verdict.violations).toEqual([])
    expect(verdict.variables).toEqual(variables)
  })

  it('refuses unknown fields, deprecated fields, mistyped or undeclared variables and unbounded connections', () => {
    expect(rules(checkGraphQL({ query: threads('id nope'), variables }))).toEqual([
      'graphql valid: Cannot query field "nope" on type "PullRequestReviewThread".'
    ])
    expect(rules(checkGraphQL({ query: threads('comments(first: 1) { nodes { databaseId } }'), variables }))).toEqual([
      expect.stringMatching(/^not deprecated: The field PullRequestReviewComment.databaseId is deprecated/)
    ])
    expect(rules(checkGraphQL({ query: threads('id'), variables: { ...variables, number: '5', extra: 1 } }))).toEqual([
      'graphql variables typed: Variable "$number" got invalid value "5"; Int cannot represent non-integer value: "5"'
    ])
    expect(rules(checkGraphQL({ query: threads('id'), variables: { ...variables, extra: 1 } }))).toEqual([
      'graphql variables typed: variable $extra is not declared'
    ])
    expect(rules(checkGraphQL({ query: threads('comments { totalCount }', '101'), variables }))).toEqual([
      'graphql connection paginated: reviewThreads asks for 101 (1 to 100)',
      'graphql connection paginated: comments has neither first nor last'
    ])
  })
})
