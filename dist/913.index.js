export const id = 913;
export const ids = [913];
export const modules = {

/***/ 37913:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   keepPatchAsArtifact: () => (/* binding */ keepPatchAsArtifact)
/* harmony export */ });
/* harmony import */ var _actions_artifact__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(56518);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(51455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(76760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_2__);



/**
 * The fix's whole patch as an artifact of the workflow run, for a patch longer than the reply and
 * the job summary show: named after the comment that asked (and the run's attempt, since a re-run
 * keeps the first attempt's artifacts). Returns the artifact's name.
 */
async function keepPatchAsArtifact(patch, commentId, tempDir) {
    const name = `codex-fix-${commentId}-attempt-${process.env.GITHUB_RUN_ATTEMPT || '1'}`;
    const dir = await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.mkdtemp)(node_path__WEBPACK_IMPORTED_MODULE_2___default().join(tempDir, 'fix-patch-'));
    try {
        const file = node_path__WEBPACK_IMPORTED_MODULE_2___default().join(dir, 'fix.patch');
        await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.writeFile)(file, patch);
        await new _actions_artifact__WEBPACK_IMPORTED_MODULE_0__/* .DefaultArtifactClient */ .t9().uploadArtifact(name, [file], dir);
        return name;
    }
    finally {
        await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.rm)(dir, { recursive: true, force: true });
    }
}


/***/ })

};
