// What loading the toolkit costs alone: @actions/core and @actions/github, bundled by ncc as the
// action is, then nothing. The `floor` bench times it against a bare node.
import * as core from '@actions/core'
import * as github from '@actions/github'

// used, so the bundle cannot drop either module
core.debug(`${typeof github.getOctokit} ${github.context.eventName}`)
