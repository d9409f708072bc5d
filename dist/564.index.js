export const id = 564;
export const ids = [564];
export const modules = {

/***/ 50564:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   CacheBundleStore: () => (/* binding */ CacheBundleStore)
/* harmony export */ });
/* harmony import */ var _actions_cache__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(49902);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(51455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(76760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var _store_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(78655);




/**
 * The prefix of a thread's cache keys. The cache service restores the newest entry whose key
 * starts with a restore key, so the separator is one thread keys cannot hold: `docs` must not find
 * the entries of `docs-api`.
 */
function cacheKeyPrefix(key) {
    return `codex-thread-${key}/`;
}
/** Before the separator was `/`: `codex-thread-<key>-<run id>-<attempt>`, a prefix other threads' keys share. */
function legacyKeyPrefix(key) {
    return `codex-thread-${key}-`;
}
/** Whether a cache key is one of this thread's own entries, in either format. */
function isOwnEntry(key, cacheKey) {
    return new RegExp(`^codex-thread-${key.replace(/\./g, '\\.')}[/-]\\d+-\\d+$`).test(cacheKey);
}
/**
 * @actions/cache, one entry per run attempt, restored by the key's prefix. A cache is scoped to the
 * ref that saved it (and readable from its base branch's), so runs of other events on the PR,
 * such as issue_comment, do not see it: the artifact store does not have that limit.
 */
class CacheBundleStore {
    options;
    label = 'the Actions cache';
    #saved;
    /** The entry downloaded last: a later load in the run that finds it still the newest does not download it again. */
    #downloaded;
    constructor(options) {
        this.options = options;
    }
    /** The cache's version hashes the paths: every run must name the same one. */
    get #file() {
        return node_path__WEBPACK_IMPORTED_MODULE_2___default().join(this.options.workDir, 'codex-thread-cache', 'bundle.bin');
    }
    async load(key, open) {
        assertAvailable();
        const entry = await this.#newestEntry(key);
        const sealed = entry && (await this.#download(entry));
        if (!sealed)
            return undefined;
        const opened = await open(sealed);
        if (opened === undefined)
            this.options.log(`Cache ${entry} does not open with this run's secret`);
        return opened;
    }
    async save(key, bundle) {
        assertAvailable();
        await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.mkdir)(node_path__WEBPACK_IMPORTED_MODULE_2___default().dirname(this.#file), { recursive: true });
        await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.writeFile)(this.#file, bundle);
        const at = new Date().toISOString();
        const cacheKey = this.#cacheKey(key);
        // @actions/cache reports its own failures in the log and answers -1
        if ((await _actions_cache__WEBPACK_IMPORTED_MODULE_0__.saveCache([this.#file], cacheKey)) === -1)
            throw new Error(`cache ${cacheKey} was not saved`);
        this.#saved = { key: cacheKey, at };
    }
    async prune(key) {
        const saved = this.#saved;
        if (!saved)
            return;
        const { api, log } = this.options;
        // the listing also holds the caches of keys this one is a prefix of: only its own are candidates
        const caches = (await api.listCaches(`codex-thread-${key}`)).filter((entry) => isOwnEntry(key, entry.key));
        const cutoff = caches.find((entry) => entry.key === saved.key)?.createdAt ?? saved.at;
        const older = caches.filter((entry) => entry.key !== saved.key && entry.createdAt < cutoff);
        const { kept, reason } = await (0,_store_js__WEBPACK_IMPORTED_MODULE_3__/* .deleteEach */ .p)(older, (entry) => api.deleteCache(entry.id));
        if (!kept.length)
            return;
        log(`${kept.length} older cache(s) of thread ${key} were not deleted (${reason}): GitHub evicts caches ` +
            'not used for 7 days');
    }
    /**
     * The key of the thread's newest entry the service lets this run read. Entries in the legacy
     * format are found by a prefix other threads' keys share; when the service's newest match is
     * another thread's, the thread's own are looked up through the REST API.
     */
    async #newestEntry(key) {
        const matched = await _actions_cache__WEBPACK_IMPORTED_MODULE_0__.restoreCache([this.#file], this.#cacheKey(key), [cacheKeyPrefix(key), legacyKeyPrefix(key)], {
            lookupOnly: true
        });
        if (matched === undefined || isOwnEntry(key, matched))
            return matched;
        const { api, log } = this.options;
        const own = await api.listCaches(legacyKeyPrefix(key)).then((caches) => caches.filter((entry) => isOwnEntry(key, entry.key)).sort((a, b) => b.createdAt.localeCompare(a.createdAt)), (error) => {
            log(`Could not list thread ${key}'s caches saved under the older key format: ${error.message}`);
            return [];
        });
        log(`Cache ${matched} is another thread's; ` +
            (own[0] ? `restoring ${own[0].key}, thread ${key}'s newest` : `thread ${key} has none of its own`));
        return own[0]?.key;
    }
    /** The entry's bundle; undefined when it is gone. */
    async #download(cacheKey) {
        if (this.#downloaded?.key === cacheKey)
            return this.#downloaded.sealed;
        if ((await _actions_cache__WEBPACK_IMPORTED_MODULE_0__.restoreCache([this.#file], cacheKey)) !== cacheKey)
            return undefined;
        this.#downloaded = { key: cacheKey, sealed: await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.readFile)(this.#file) };
        return this.#downloaded.sealed;
    }
    #cacheKey(key) {
        return `${cacheKeyPrefix(key)}${this.options.run.runId}-${this.options.run.runAttempt}`;
    }
}
function assertAvailable() {
    if (!_actions_cache__WEBPACK_IMPORTED_MODULE_0__.isFeatureAvailable())
        throw new Error('the Actions cache service is not available to this run');
}


/***/ })

};
