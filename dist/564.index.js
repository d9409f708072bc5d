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




/** The trailing delimiter keeps `pr-1` from restoring `pr-12`'s caches. */
function cacheKeyPrefix(key) {
    return `codex-thread-${key}-`;
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
    constructor(options) {
        this.options = options;
    }
    /** The cache's version hashes the paths: every run must name the same one. */
    get #file() {
        return node_path__WEBPACK_IMPORTED_MODULE_2___default().join(this.options.workDir, 'codex-thread-cache', 'bundle.bin');
    }
    async load(key, open) {
        assertAvailable();
        const hit = await _actions_cache__WEBPACK_IMPORTED_MODULE_0__.restoreCache([this.#file], this.#cacheKey(key), [cacheKeyPrefix(key)]);
        if (hit === undefined)
            return undefined;
        const opened = await open(await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.readFile)(this.#file));
        if (opened === undefined)
            this.options.log(`Cache ${hit} does not open with this run's secret`);
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
        // the prefix of pr-1 also lists pr-1-x's caches: only this key's own are candidates
        const own = new RegExp(`^${cacheKeyPrefix(key).replace(/[.]/g, '\\.')}\\d+-\\d+$`);
        const caches = (await api.listCaches(cacheKeyPrefix(key))).filter((entry) => own.test(entry.key));
        const cutoff = caches.find((entry) => entry.key === saved.key)?.createdAt ?? saved.at;
        const older = caches.filter((entry) => entry.key !== saved.key && entry.createdAt < cutoff);
        const { kept, reason } = await (0,_store_js__WEBPACK_IMPORTED_MODULE_3__/* .deleteEach */ .p)(older, (entry) => api.deleteCache(entry.id));
        if (!kept.length)
            return;
        log(`${kept.length} older cache(s) of thread ${key} were not deleted (${reason}): GitHub evicts caches ` +
            'not used for 7 days');
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
