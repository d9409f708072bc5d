import { bodyOf, notFound, now, REPO_PATH, user, validationFailed } from './http.js'
import type { ReactionContent, Route, StoredReaction } from './types.js'

/** The reaction types of docs.github.com/rest/reactions/reactions#about-reactions. */
export const REACTION_CONTENTS: readonly ReactionContent[] = [
  '+1',
  '-1',
  'laugh',
  'confused',
  'heart',
  'hooray',
  'rocket',
  'eyes'
]

/**
 * POST /issues/comments/{id}/reactions and /pulls/comments/{id}/reactions: 201 for a new reaction, 200 with
 * the existing one when the same user already reacted with the same content, as the docs describe.
 */
export function handleReactions(route: Route): boolean {
  const match = new RegExp(`^${REPO_PATH}/(issues|pulls)/comments/(\\d+)/reactions$`).exec(route.url.pathname)
  if (!match || route.method !== 'POST') return false
  const { state } = route
  const subject = match[1] === 'issues' ? 'issue_comment' : 'pull_request_review_comment'
  const subjectId = Number(match[2])
  const exists =
    subject === 'issue_comment'
      ? state.comments.some((comment) => comment.id === subjectId)
      : state.reviewComments.some((comment) => comment.id === subjectId)
  const content = bodyOf(route).content
  if (!exists) notFound(route)
  else if (typeof content !== 'string' || !REACTION_CONTENTS.includes(content as ReactionContent))
    validationFailed(route, 'Reaction', 'content', { code: 'invalid' }, 'reactions/reactions')
  else {
    const existing = state.reactions.find(
      (reaction) =>
        reaction.subject === subject &&
        reaction.subject_id === subjectId &&
        reaction.content === content &&
        reaction.user.login === route.author
    )
    if (existing) route.send(200, existing)
    else {
      const id = route.nextId()
      const reaction: StoredReaction = {
        id,
        node_id: `REA_${id}`,
        subject,
        subject_id: subjectId,
        user: user(route.author),
        content: content as ReactionContent,
        created_at: now()
      }
      state.reactions.push(reaction)
      route.send(201, reaction)
    }
  }
  return true
}
