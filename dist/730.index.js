export const id = 730;
export const ids = [730];
export const modules = {

/***/ 13730:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   ArtifactBundleStore: () => (/* binding */ ArtifactBundleStore)
/* harmony export */ });
/* unused harmony exports ARTIFACT_LOAD_CANDIDATES, artifactName */
/* harmony import */ var _actions_artifact__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(56518);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(51455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(76760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var _store_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(78655);




const BUNDLE_FILE = 'bundle.bin';
/**
 * How many of the key's artifacts `load` tries, newest first. Only runs of the repository's own
 * branches count, so junk needs write access; the bound keeps a store full of bundles sealed with
 * an older secret to seconds (one REST call and one small download each).
 */
const ARTIFACT_LOAD_CANDIDATES = 50;
function artifactName(key) {
    return `codex-thread-${key}`;
}
/**
 * One artifact per run, all named after the key, found again through the REST API. Unlike a
 * cache, an artifact is visible to every workflow and event of the repository.
 */
class ArtifactBundleStore {
    options;
    label = 'the artifact store';
    #client = new _actions_artifact__WEBPACK_IMPORTED_MODULE_0__/* .DefaultArtifactClient */ .t9();
    #savedId;
    /**
     * The artifact whose bundle opened: its id names it for good (a replacement gets a new id), so a
     * later load in the run that finds it still the newest does not download it again.
     */
    #opened;
    /** Artifacts that hold no bundle this run can open: not downloaded twice. */
    #passedOver = new Set();
    constructor(options) {
        this.options = options;
    }
    async load(key, open) {
        const { api, log } = this.options;
        const live = (await api.listArtifacts(artifactName(key))).filter((artifact) => !artifact.expired);
        const candidates = live.filter(uploadedByThisRepository).sort((a, b) => b.id - a.id);
        if (candidates.length < live.length)
            log(`Ignored ${live.length - candidates.length} artifact(s) of ${artifactName(key)} uploaded by runs of forks`);
        for (const artifact of candidates.slice(0, ARTIFACT_LOAD_CANDIDATES)) {
            if (this.#passedOver.has(artifact.id))
                continue;
            const sealed = this.#opened?.id === artifact.id ? this.#opened.sealed : await this.#download(artifact);
            const opened = sealed && (await open(sealed));
            if (sealed && opened !== undefined) {
                this.#opened = { id: artifact.id, sealed };
                return opened;
            }
            this.#passedOver.add(artifact.id);
            const what = `Artifact ${artifact.id} (${artifact.name}, ${artifact.createdAt})`;
            log(sealed
                ? `${what} does not open with this run's secret`
                : `${what} holds no ${BUNDLE_FILE}: something else uploaded it under the thread's name`);
        }
        return undefined;
    }
    /** The artifact's bundle; undefined when it holds none. */
    async #download(artifact) {
        const { token, owner, repo } = this.options;
        return this.#inTempDir(async (dir) => {
            await this.#client.downloadArtifact(artifact.id, {
                path: dir,
                findBy: { token, workflowRunId: artifact.workflowRun.id, repositoryOwner: owner, repositoryName: repo }
            });
            return (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.readFile)(node_path__WEBPACK_IMPORTED_MODULE_2___default().join(dir, BUNDLE_FILE)).catch((error) => {
                if (error.code === 'ENOENT')
                    return undefined;
                throw error;
            });
        });
    }
    async save(key, bundle) {
        const name = artifactName(key);
        await this.#inTempDir(async (dir) => {
            const file = node_path__WEBPACK_IMPORTED_MODULE_2___default().join(dir, BUNDLE_FILE);
            await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.writeFile)(file, bundle);
            // sealed bytes do not compress
            const upload = () => this.#client.uploadArtifact(name, [file], dir, { compressionLevel: 0 });
            let response;
            try {
                response = await upload();
            }
            catch (error) {
                // A re-run, or an earlier step of this run, already saved the key: this bundle replaces it.
                const replaced = await this.#client.deleteArtifact(name).then(() => true, () => false);
                if (!replaced)
                    throw error;
                response = await upload();
            }
            this.#savedId = response.id;
        });
    }
    async prune(key) {
        const savedId = this.#savedId;
        if (savedId === undefined)
            return;
        const { api, log } = this.options;
        const older = (await api.listArtifacts(artifactName(key))).filter((artifact) => artifact.id < savedId && !artifact.expired);
        const { kept, reason } = await (0,_store_js__WEBPACK_IMPORTED_MODULE_3__/* .deleteEach */ .p)(older, (artifact) => api.deleteArtifact(artifact.id));
        if (!kept.length)
            return;
        const until = kept
            .map((artifact) => artifact.expiresAt ?? '')
            .sort()
            .at(-1);
        log(`${kept.length} older artifact(s) of ${artifactName(key)} were not deleted (${reason}): they are kept ` +
            `until they expire${until ? `, the last on ${until}` : ''}`);
    }
    async #inTempDir(use) {
        const dir = await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.mkdtemp)(node_path__WEBPACK_IMPORTED_MODULE_2___default().join(this.options.workDir, 'codex-artifact-'));
        try {
            return await use(dir);
        }
        finally {
            await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.rm)(dir, { recursive: true, force: true });
        }
    }
}
/**
 * A fork PR's own workflow runs can upload artifacts of any name into the repository: only those
 * of runs whose commit came from this repository can be ours, and junk among them needs write access.
 */
function uploadedByThisRepository(artifact) {
    const run = artifact.workflowRun;
    return run?.headRepositoryId !== undefined && run.headRepositoryId === run.repositoryId;
}


/***/ })

};
