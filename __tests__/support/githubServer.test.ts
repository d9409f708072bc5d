import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  OWNER,
  pullFile,
  REPO,
  startGitHubServer,
  type GitHubServer,
  type PullFile,
  type StoredReaction,
  type StoredReview,
  type StoredReviewComment
} from './githubServer.js'
import { takeViolations } from './github/contract.js'
import { itemAt } from './lists.js'

const PR = 7
let server: GitHubServer

const numbered = (count: number): string => Array.from({ length: count }, (_, index) => `line ${index + 1}\n`).join('')
/** src/app.ts: line 10 replaced and two lines added after line 20, so hunks show new lines 7–13 and 18–25. */
const BEFORE = numbered(30)
const AFTER = BEFORE.replace('line 10\n', 'line ten\n').replace('line 20\n', 'line 20\nadded 1\nadded 2\n')

async function api<T = ErrorAnswer>(
  method: string,
  path: string,
  body?: unknown
): Promise<{ status: number; data: T; link: string | null }> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: 'token ghs_test' },
    body: body === undefined ? undefined : JSON.stringify(body)
  })
  const text = await response.text()
  return {
    status: response.status,
    data: (text ? JSON.parse(text) : undefined) as T,
    link: response.headers.get('link')
  }
}

const repo = `/repos/${OWNER}/${REPO}`

/** GitHub's 422 and GraphQL error answers, as far as these tests read them. */
interface ErrorAnswer {
  message?: string
  status?: string
  errors: Array<string | { type?: string; field?: string; message: string }>
}

interface ThreadNode {
  id: string
  isResolved: boolean
  path: string
  line: number | null
  comments: { nodes: Array<{ id: string; fullDatabaseId: string; body: string; author: { login: string } }> }
}

interface ThreadsAnswer {
  data: {
    repository: {
      pullRequest: {
        reviewThreads: { nodes: ThreadNode[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } }
      }
    }
  }
}

beforeEach(async () => {
  server = await startGitHubServer()
  server.setPull(PR, {
    title: 'Add things',
    user: 'alice',
    head: { sha: 'd'.repeat(40) },
    base: { sha: 'c'.repeat(40) }
  })
  server.setPullFiles(PR, [
    pullFile('src/app.ts', { before: BEFORE, after: AFTER }),
    pullFile('logo.png', { before: null, after: 'binary', binary: true })
  ])
})
afterEach(async () => {
  await server.close()
})

describe('pull requests and their files', () => {
  it('answers GET /pulls/{n} with what setPull gave and defaults for the rest', async () => {
    const { data } = await api('GET', `${repo}/pulls/${PR}`)
    expect(data).toMatchObject({
      number: PR,
      title: 'Add things',
      state: 'open',
      user: { login: 'alice', type: 'User' },
      head: { sha: 'd'.repeat(40), ref: 'topic' },
      base: { sha: 'c'.repeat(40), ref: 'main' }
    })
  })

  it('lists files with their patches, leaving the patch out for a binary file', async () => {
    const { status, data } = await api<PullFile[]>('GET', `${repo}/pulls/${PR}/files`)
    expect(status).toBe(200)
    expect(data[0]).toMatchObject({
      filename: 'src/app.ts',
      status: 'modified',
      additions: 3,
      deletions: 1,
      changes: 4
    })
    expect(data[0]?.sha).toMatch(/^[0-9a-f]{40}$/)
    expect(data[0]?.patch).toContain('@@ -7,7 +7,7 @@')
    expect(data[1]).toMatchObject({ filename: 'logo.png', status: 'added', changes: 0 })
    expect('patch' in itemAt(data, 1)).toBe(false)
  })

  it('pages the files with per_page and page, naming the next page in a link header', async () => {
    server.setPullFiles(
      PR,
      Array.from({ length: 5 }, (_, index) => pullFile(`f${index}.txt`, { before: null, after: `${index}\n` }))
    )
    const first = await api<PullFile[]>('GET', `${repo}/pulls/${PR}/files?per_page=2`)
    expect(first.data.map((file: { filename: string }) => file.filename)).toEqual(['f0.txt', 'f1.txt'])
    expect(first.link).toContain(`${repo}/pulls/${PR}/files?per_page=2&page=2>; rel="next"`)
    expect(first.link).toContain('page=3>; rel="last"')
    const last = await api<PullFile[]>('GET', `${repo}/pulls/${PR}/files?per_page=2&page=3`)
    expect(last.data.map((file: { filename: string }) => file.filename)).toEqual(['f4.txt'])
    expect(last.link).toBeNull()
  })

  it('takes a hand-written patch', () => {
    const file = pullFile('README.md', { patch: '@@ -1,2 +1,3 @@\n a\n+b\n c' })
    expect(file).toMatchObject({ status: 'modified', additions: 1, deletions: 0, changes: 1 })
  })

  it('answers 404 for a pull request it does not know', async () => {
    expect((await api('GET', `${repo}/pulls/99/files`)).status).toBe(404)
  })

  it('updates the description with PATCH /pulls/{n}, keeping the rest, and refuses one over 65,536 characters', async () => {
    const body = 'What it does\r\n\r\n<!-- codex-thread-action:walkthrough -->\r\n'
    const { status, data } = await api('PATCH', `${repo}/pulls/${PR}`, { body })
    expect(status).toBe(200)
    expect(data).toMatchObject({ number: PR, title: 'Add things', body, state: 'open' })
    expect((await api('GET', `${repo}/pulls/${PR}`)).data).toMatchObject({ body, title: 'Add things' })
    const refused = await api('PATCH', `${repo}/pulls/${PR}`, { body: 'x'.repeat(65_537) })
    expect(refused.status).toBe(422)
    expect((await api('GET', `${repo}/pulls/${PR}`)).data).toMatchObject({ body })
    // a field pulls/update does not take is GitHub's 422 too, and a broken rule of the test's own
    expect((await api('PATCH', `${repo}/pulls/${PR}`, { body: 42 })).status).toBe(422)
    expect(takeViolations()).toMatchObject([{ rule: 'body valid', detail: expect.stringMatching(/\/body/) }])
    expect((await api('PATCH', `${repo}/pulls/99`, { body })).status).toBe(404)
  })
})

describe('reviews', () => {
  it('stores a review with inline comments on right-side lines, authored by the token identity', async () => {
    server.token = { kind: 'user', login: 'codex-bot' }
    const { status, data: review } = await api<StoredReview>('POST', `${repo}/pulls/${PR}/reviews`, {
      body: 'Two findings.',
      event: 'COMMENT',
      comments: [
        { path: 'src/app.ts', line: 10, body: 'Spell it as a number.' },
        { path: 'src/app.ts', line: 13, side: 'RIGHT', body: 'Context lines take comments too.' }
      ]
    })
    expect(status).toBe(200)
    expect(review).toMatchObject({
      node_id: `PRR_${review.id}`,
      user: { login: 'codex-bot' },
      body: 'Two findings.',
      state: 'COMMENTED',
      commit_id: 'd'.repeat(40),
      html_url: `https://github.com/${OWNER}/${REPO}/pull/${PR}#pullrequestreview-${review.id}`
    })
    expect(review.submitted_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    const { data: comments } = await api<StoredReviewComment[]>('GET', `${repo}/pulls/${PR}/comments`)
    expect(comments).toHaveLength(2)
    expect(comments[0]).toMatchObject({
      pull_request_review_id: review.id,
      user: { login: 'codex-bot', type: 'User' },
      path: 'src/app.ts',
      line: 10,
      side: 'RIGHT',
      start_line: null,
      original_line: 10,
      commit_id: 'd'.repeat(40),
      diff_hunk: '@@ -7,7 +7,7 @@\n line 7\n line 8\n line 9\n-line 10\n+line ten'
    })
    expect('in_reply_to_id' in itemAt(comments, 0)).toBe(false)
    expect((await api('GET', `${repo}/pulls/${PR}/reviews`)).data).toEqual([review])
  })

  it('writes as github-actions[bot] when the token has no user, as GITHUB_TOKEN', async () => {
    server.token = { kind: 'actions' }
    const { data } = await api<StoredReview>('POST', `${repo}/pulls/${PR}/reviews`, { event: 'APPROVE' })
    expect(data).toMatchObject({ state: 'APPROVED', user: { login: 'github-actions[bot]', type: 'Bot' } })
  })

  it('rejects the whole review when one comment is off the diff, and stores nothing', async () => {
    for (const bad of [
      { path: 'src/app.ts', line: 2 },
      { path: 'src/app.ts', line: 25, side: 'LEFT' },
      { path: 'src/other.ts', line: 1 },
      { path: 'logo.png', line: 1 }
    ]) {
      const { status, data } = await api('POST', `${repo}/pulls/${PR}/reviews`, {
        body: 'Findings',
        event: 'COMMENT',
        comments: [
          { path: 'src/app.ts', line: 10, body: 'fine' },
          { ...bad, body: 'off the diff' }
        ]
      })
      expect(status, JSON.stringify(bad)).toBe(422)
      expect(data).toMatchObject({
        message: 'Unprocessable Entity',
        errors: ['Line could not be resolved'],
        status: '422'
      })
    }
    expect(server.reviews).toEqual([])
    expect(server.reviewComments).toEqual([])
  })

  it('anchors a deleted line on the LEFT side and a deprecated position', async () => {
    const { status } = await api('POST', `${repo}/pulls/${PR}/reviews`, {
      event: 'COMMENT',
      comments: [
        { path: 'src/app.ts', line: 10, side: 'LEFT', body: 'was fine' },
        { path: 'src/app.ts', position: 5, body: 'the added line' }
      ]
    })
    expect(status).toBe(200)
    expect(server.reviewComments.map((comment) => [comment.side, comment.line, comment.position])).toEqual([
      ['LEFT', 10, 4],
      ['RIGHT', 10, 5]
    ])
  })

  it('takes a multi-line range within one hunk and refuses one across hunks or backwards', async () => {
    const ok = await api<StoredReview>('POST', `${repo}/pulls/${PR}/reviews`, {
      event: 'REQUEST_CHANGES',
      body: 'Please split this.',
      comments: [{ path: 'src/app.ts', start_line: 20, line: 22, body: 'these three lines' }]
    })
    expect(ok.status).toBe(200)
    expect(ok.data.state).toBe('CHANGES_REQUESTED')
    expect(server.reviewComments[0]).toMatchObject({ start_line: 20, line: 22, start_side: 'RIGHT', side: 'RIGHT' })
    expect(server.reviewComments[0]?.diff_hunk.split('\n').at(-1)).toBe('+added 2')
    const across = await api('POST', `${repo}/pulls/${PR}/reviews`, {
      event: 'COMMENT',
      comments: [{ path: 'src/app.ts', start_line: 10, line: 20, body: 'x' }]
    })
    expect(across.status).toBe(422)
    expect(across.data.errors).toEqual([
      'Pull request review thread start line must be part of the same hunk as the line.'
    ])
    const backwards = await api('POST', `${repo}/pulls/${PR}/reviews`, {
      event: 'COMMENT',
      comments: [{ path: 'src/app.ts', start_line: 21, line: 21, body: 'x' }]
    })
    expect(backwards.status).toBe(422)
    expect(backwards.data.errors).toEqual(['Pull request review thread start line must precede the end line.'])
    expect(server.reviews).toHaveLength(1)
  })

  it('refuses a body over 65,536 characters, for the review and for each comment, counting characters', async () => {
    const long = 'x'.repeat(65_537)
    const review = await api('POST', `${repo}/pulls/${PR}/reviews`, { event: 'COMMENT', body: long })
    expect(review.status).toBe(422)
    expect(review.data.errors).toEqual(['Body is too long (maximum is 65536 characters)'])
    const comment = await api('POST', `${repo}/pulls/${PR}/reviews`, {
      event: 'COMMENT',
      comments: [{ path: 'src/app.ts', line: 10, body: long }]
    })
    expect(comment.status).toBe(422)
    const issue = await api('POST', `${repo}/issues/${PR}/comments`, { body: long })
    expect(issue.status).toBe(422)
    expect(issue.data.errors[0]).toMatchObject({
      field: 'body',
      message: 'body is too long (maximum is 65536 characters)'
    })
    // 65,536 emoji are 131,072 UTF-16 units but 65,536 characters
    expect(
      (await api('POST', `${repo}/pulls/${PR}/reviews`, { event: 'COMMENT', body: '🙂'.repeat(65_536) })).status
    ).toBe(200)
    expect(server.reviews).toHaveLength(1)
  })

  it('checks the event, own pull requests, the Actions approval setting and pending drafts', async () => {
    expect((await api('POST', `${repo}/pulls/${PR}/reviews`, { event: 'LGTM', body: 'x' })).status).toBe(422)
    expect(takeViolations()).toMatchObject([{ rule: 'body valid', detail: expect.stringMatching(/\/event/) }])
    server.token = { kind: 'user', login: 'alice' }
    const own = await api('POST', `${repo}/pulls/${PR}/reviews`, { event: 'APPROVE' })
    expect(own.data.errors).toEqual(['Review Can not approve your own pull request'])
    server.token = { kind: 'actions' }
    server.actionsCanApprove = false
    const actions = await api('POST', `${repo}/pulls/${PR}/reviews`, { event: 'APPROVE' })
    expect(actions.data.errors).toEqual(['GitHub Actions is not permitted to approve pull requests.'])
    const pending = await api<StoredReview>('POST', `${repo}/pulls/${PR}/reviews`, {
      comments: [{ path: 'src/app.ts', line: 10, body: 'draft' }]
    })
    expect(pending.status).toBe(200)
    expect(pending.data.state).toBe('PENDING')
    expect('submitted_at' in pending.data).toBe(false)
    // a draft is nobody else's to see
    expect((await api<StoredReviewComment[]>('GET', `${repo}/pulls/${PR}/comments`)).data).toEqual([])
    const second = await api('POST', `${repo}/pulls/${PR}/reviews`, { event: 'COMMENT', body: 'again' })
    expect(second.data.errors).toEqual(['User can only have one pending review per pull request'])
  })
})

describe('review comments and threads', () => {
  async function finding(): Promise<number> {
    const { data } = await api<StoredReview>('POST', `${repo}/pulls/${PR}/reviews`, {
      event: 'COMMENT',
      comments: [{ path: 'src/app.ts', line: 21, body: 'Finding: why add this?' }]
    })
    return server.reviewComments.find((comment) => comment.pull_request_review_id === data.id)!.id
  }

  it('lets a test plant a human question under a finding, and the reply joins the thread', async () => {
    const root = await finding()
    // the replies endpoint is not enabled for GitHub Apps: a user token's
    server.token = { kind: 'user', login: 'codex-bot' }
    const question = server.addReviewComment(PR, { in_reply_to: root, login: 'alice', body: 'Is this a real bug?' })
    expect(question).toMatchObject({
      in_reply_to_id: root,
      user: { login: 'alice', type: 'User' },
      path: 'src/app.ts',
      line: 21
    })
    const { status, data: reply } = await api<StoredReviewComment>(
      'POST',
      `${repo}/pulls/${PR}/comments/${root}/replies`,
      {
        body: 'Yes: see line 21.'
      }
    )
    expect(status).toBe(201)
    expect(reply).toMatchObject({
      in_reply_to_id: root,
      user: { login: 'codex-bot' },
      path: 'src/app.ts',
      line: 21,
      html_url: `https://github.com/${OWNER}/${REPO}/pull/${PR}#discussion_r${reply.id}`
    })
    // GitHub files each reply under its own single-comment review
    expect(server.reviews.find((review) => review.id === reply.pull_request_review_id)).toMatchObject({
      state: 'COMMENTED'
    })
    const [thread] = server.reviewThreads(PR)
    expect(thread?.comments.map((comment) => comment.body)).toEqual([
      'Finding: why add this?',
      'Is this a real bug?',
      'Yes: see line 21.'
    ])
    // replies go to the thread's first comment
    expect((await api('POST', `${repo}/pulls/${PR}/comments/${question.id}/replies`, { body: 'x' })).status).toBe(422)
    expect((await api('POST', `${repo}/pulls/${PR}/comments/424242/replies`, { body: 'x' })).status).toBe(404)
  })

  it('plants a top-level comment and refuses one off the diff', () => {
    const comment = server.addReviewComment(PR, { path: 'src/app.ts', line: 9, login: 'bob', body: 'Hm.' })
    expect(comment).toMatchObject({ line: 9, side: 'RIGHT', commit_id: 'd'.repeat(40), user: { login: 'bob' } })
    expect(() => server.addReviewComment(PR, { path: 'src/app.ts', line: 1, body: 'x' })).toThrow(
      /could not be resolved/
    )
  })

  it('gets and edits one review comment', async () => {
    const id = await finding()
    expect((await api<StoredReviewComment>('GET', `${repo}/pulls/comments/${id}`)).data.body).toBe(
      'Finding: why add this?'
    )
    const edited = await api('PATCH', `${repo}/pulls/comments/${id}`, { body: 'Finding (fixed in abc)' })
    expect(edited.status).toBe(200)
    expect(server.reviewComments[0]?.body).toBe('Finding (fixed in abc)')
    expect((await api('GET', `${repo}/pulls/comments/1`)).status).toBe(404)
  })

  it('lists the threads over GraphQL and resolves one', async () => {
    const first = await finding()
    server.addReviewComment(PR, { in_reply_to: first, login: 'alice', body: 'Question?' })
    server.addReviewComment(PR, { path: 'src/app.ts', line: 10, login: 'bob', body: 'Another.' })
    const list = `query($owner: String!, $name: String!, $number: Int!, $cursor: String) {
      repository(owner: $owner, name: $name) { pullRequest(number: $number) {
        reviewThreads(first: 1, after: $cursor) {
          nodes { id isResolved path line comments(first: 10) { nodes { id fullDatabaseId body author { login } } } }
          pageInfo { hasNextPage endCursor } } } } }`
    const page1 = await api<ThreadsAnswer>('POST', '/graphql', {
      query: list,
      variables: { owner: OWNER, name: REPO, number: PR }
    })
    expect(page1.status).toBe(200)
    const threads1 = page1.data.data.repository.pullRequest.reviewThreads
    expect(threads1.nodes).toHaveLength(1)
    expect(threads1.nodes[0]).toMatchObject({ id: `PRRT_${first}`, isResolved: false, path: 'src/app.ts', line: 21 })
    expect(threads1.nodes[0]?.comments.nodes[0]?.fullDatabaseId).toBe(String(first))
    expect(threads1.nodes[0]?.comments.nodes[1]).toMatchObject({ body: 'Question?', author: { login: 'alice' } })
    expect(threads1.pageInfo.hasNextPage).toBe(true)
    const page2 = await api<ThreadsAnswer>('POST', '/graphql', {
      query: list,
      variables: { owner: OWNER, name: REPO, number: PR, cursor: threads1.pageInfo.endCursor }
    })
    const threads2 = page2.data.data.repository.pullRequest.reviewThreads
    expect(threads2.nodes.map((thread) => thread.line)).toEqual([10])
    expect(threads2.pageInfo.hasNextPage).toBe(false)

    const resolve = `mutation($threadId: ID!) { resolveReviewThread(input: { threadId: $threadId }) { thread { id isResolved } } }`
    const resolved = await api('POST', '/graphql', { query: resolve, variables: { threadId: `PRRT_${first}` } })
    expect(resolved.data).toEqual({
      data: { resolveReviewThread: { thread: expect.objectContaining({ id: `PRRT_${first}`, isResolved: true }) } }
    })
    expect(server.reviewThreads(PR).map((thread) => thread.isResolved)).toEqual([true, false])
    const unknown = await api('POST', '/graphql', { query: resolve, variables: { threadId: 'PRRT_1' } })
    expect(unknown.data.errors).toMatchObject([{ type: 'NOT_FOUND' }])
  })

  it('runs every aliased mutation of one document in turn: a failing one is null with its error, the rest still run', async () => {
    const first = await finding()
    const replyAndResolve = `mutation($a: ID!, $b: ID!, $text: String!) {
      replyA: addPullRequestReviewThreadReply(input: { pullRequestReviewThreadId: $a, body: $text }) { comment { body } }
      resolveA: resolveReviewThread(input: { threadId: $a }) { thread { id isResolved } }
      replyB: addPullRequestReviewThreadReply(input: { pullRequestReviewThreadId: $b, body: $text }) { comment { body } }
      resolveB: resolveReviewThread(input: { threadId: $b }) { thread { id isResolved } }
    }`
    const { data } = await api<{ data: Record<string, unknown>; errors: unknown[] }>('POST', '/graphql', {
      query: replyAndResolve,
      variables: { a: `PRRT_${first}`, b: 'PRRT_1', text: 'Fixed.' }
    })
    expect(data.data).toEqual({
      replyA: { comment: { body: 'Fixed.' } },
      resolveA: { thread: { id: `PRRT_${first}`, isResolved: true } },
      replyB: null,
      resolveB: null
    })
    expect(data.errors).toMatchObject([
      { type: 'NOT_FOUND', path: ['replyB'] },
      { type: 'NOT_FOUND', path: ['resolveB'] }
    ])
    const thread = server.reviewThreads(PR).find((entry) => entry.id === `PRRT_${first}`)!
    expect(thread.comments.at(-1)).toMatchObject({ body: 'Fixed.', in_reply_to_id: first })
  })

  it("shows a bot's login without [bot] over GraphQL", async () => {
    server.token = { kind: 'actions' }
    await finding()
    const { data } = await api<ThreadsAnswer>('POST', '/graphql', {
      query: `{ repository(owner: "${OWNER}", name: "${REPO}") { pullRequest(number: ${PR}) { reviewThreads(first: 100) { nodes { comments(first: 1) { nodes { author { login } } } } } } } }`
    })
    expect(data.data.repository.pullRequest.reviewThreads.nodes[0]?.comments.nodes[0]?.author.login).toBe(
      'github-actions'
    )
  })

  it('gives 64-bit ids: fullDatabaseId as a string, the deprecated databaseId null with an error past 2^31', async () => {
    const root = await finding()
    expect(root).toBeGreaterThan(2 ** 31)
    const { data } = await api<ThreadsAnswer & { errors: Array<{ message: string; path: unknown[] }> }>(
      'POST',
      '/graphql',
      {
        query: `{ repository(owner: "${OWNER}", name: "${REPO}") { pullRequest(number: ${PR}) { reviewThreads(first: 1) { nodes { comments(first: 1) { nodes { fullDatabaseId databaseId } } } } } } }`
      }
    )
    expect(data.data.repository.pullRequest.reviewThreads.nodes[0]?.comments.nodes[0]).toEqual({
      fullDatabaseId: String(root),
      databaseId: null
    })
    expect(data.errors).toMatchObject([
      {
        message: `Int cannot represent non 32-bit signed integer value: ${root}`,
        path: expect.arrayContaining(['databaseId'])
      }
    ])
    expect(takeViolations()).toMatchObject([{ rule: 'not deprecated', detail: expect.stringMatching(/databaseId/) }])
  })

  it('says who resolved a thread, and lists reactions to its comments', async () => {
    server.token = { kind: 'app', slug: 'my-app' }
    const root = await finding()
    await api('POST', `${repo}/pulls/comments/${root}/reactions`, { content: 'eyes' })
    await api('POST', '/graphql', {
      query: 'mutation($id: ID!) { resolveReviewThread(input: {threadId: $id}) { thread { id } } }',
      variables: { id: `PRRT_${root}` }
    })
    const { data } = await api<{ data: unknown }>('POST', '/graphql', {
      query: `{ repository(owner: "${OWNER}", name: "${REPO}") { pullRequest(number: ${PR}) { reviewThreads(first: 1) { nodes { isResolved resolvedBy { login } comments(first: 1) { nodes { author { login } reactions(first: 10) { nodes { content } } } } } } } } }`
    })
    expect(data.data).toEqual({
      repository: {
        pullRequest: {
          reviewThreads: {
            nodes: [
              {
                isResolved: true,
                resolvedBy: { login: 'my-app' },
                comments: { nodes: [{ author: { login: 'my-app' }, reactions: { nodes: [{ content: 'EYES' }] } }] }
              }
            ]
          }
        }
      }
    })
  })

  it('answers FORBIDDEN with HTTP 200 when the token may not resolve threads', async () => {
    const root = await finding()
    server.resolveForbidden = true
    const { status, data } = await api('POST', '/graphql', {
      query: 'mutation($id: ID!) { resolveReviewThread(input: {threadId: $id}) { thread { isResolved } } }',
      variables: { id: `PRRT_${root}` }
    })
    expect(status).toBe(200)
    expect(data).toMatchObject({
      data: { resolveReviewThread: null },
      errors: [{ type: 'FORBIDDEN', message: 'Resource not accessible by integration', path: ['resolveReviewThread'] }]
    })
    expect(server.resolvedThreads.size).toBe(0)
  })
})

describe('tokens', () => {
  it("authors writes as the token's identity: github-actions[bot], <slug>[bot] for an app, the user", async () => {
    for (const [token, login] of [
      [{ kind: 'actions' }, 'github-actions[bot]'],
      [{ kind: 'app', slug: 'my-app' }, 'my-app[bot]'],
      [{ kind: 'user', login: 'bob' }, 'bob']
    ] as const) {
      server.token = token
      const { data } = await api<{ user: { login: string; type: string } }>('POST', `${repo}/issues/${PR}/comments`, {
        body: 'hi'
      })
      expect(data.user).toMatchObject({ login, type: token.kind === 'user' ? 'User' : 'Bot' })
    }
  })

  it('answers GET /user with 403 to app tokens, and records the call as a contract violation', async () => {
    server.token = { kind: 'app', slug: 'my-app' }
    expect((await api('GET', '/user')).status).toBe(403)
    server.token = { kind: 'actions' }
    const replies = await api('POST', `${repo}/pulls/${PR}/comments/1/replies`, { body: 'x' })
    expect(replies.data.message).toBe('Resource not accessible by integration')
    expect(takeViolations().map((violation) => [violation.request, violation.rule])).toEqual([
      ['GET /user', 'enabled for GitHub Apps'],
      [`POST ${repo}/pulls/${PR}/comments/1/replies`, 'enabled for GitHub Apps']
    ])
    server.token = { kind: 'user', login: 'bob' }
    expect((await api<{ login: string }>('GET', '/user')).data.login).toBe('bob')
  })
})

describe('reactions', () => {
  it('records reactions to issue and review comments: 201, then 200 for the same one again', async () => {
    server.token = { kind: 'user', login: 'codex-bot' }
    const issueComment = server.addComment(PR, '@codex review', 'alice')
    const reviewComment = server.addReviewComment(PR, { path: 'src/app.ts', line: 21, body: 'Why?' })
    const first = await api<StoredReaction>('POST', `${repo}/issues/comments/${issueComment.id}/reactions`, {
      content: 'eyes'
    })
    expect(first.status).toBe(201)
    expect(first.data).toMatchObject({ content: 'eyes', user: { login: 'codex-bot' } })
    const again = await api<StoredReaction>('POST', `${repo}/issues/comments/${issueComment.id}/reactions`, {
      content: 'eyes'
    })
    expect(again.status).toBe(200)
    expect(again.data.id).toBe(first.data.id)
    expect((await api('POST', `${repo}/pulls/comments/${reviewComment.id}/reactions`, { content: '+1' })).status).toBe(
      201
    )
    expect(
      (await api('POST', `${repo}/pulls/comments/${reviewComment.id}/reactions`, { content: 'thumbsup' })).status
    ).toBe(422)
    expect(takeViolations()).toMatchObject([{ rule: 'body valid', detail: expect.stringMatching(/\/content/) }])
    expect((await api('POST', `${repo}/pulls/comments/4242/reactions`, { content: '+1' })).status).toBe(404)
    expect(server.reactions.map((reaction) => [reaction.subject, reaction.subject_id, reaction.content])).toEqual([
      ['issue_comment', issueComment.id, 'eyes'],
      ['pull_request_review_comment', reviewComment.id, '+1']
    ])
  })
})
