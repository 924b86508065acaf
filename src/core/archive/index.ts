/**
 * Encrypted directory archives: `NAME.tar.gz.age` (pax tar → gzip → age v1) plus a plaintext `NAME.json` sidecar.
 * See docs/archive-format.md. Commands import this lazily, inside run().
 */
export {createArchive, type CreateOptions, type CreateResult, type CreateStep} from './create.js'
export {restoreArchive, type RestoreOptions, type RestoreResult} from './restore.js'
export {verifyArchive, type VerifyOptions, type VerifyResult} from './verify.js'
export {listArchiveFiles, listArchives, type ArchiveFiles} from './list.js'
export {planPrune, prunePlanned, type PrunePlan, type PruneCriteria} from './prune.js'
export {showIdentityFile, writeNewIdentity, type IdentityFileInfo, type KeygenResult} from './keygen.js'
export {decryptionKeys, encryptionKeys, hasKeyOption, parseWorkFactor, type KeyOptions} from './keys/resolve.js'
export {passphraseFromFileText, readSecretFile} from './keys/secret-file.js'
export {promptSecret} from './keys/prompt.js'
export {ProgressLine, type ProgressCallback} from './progress.js'
export {readArchive} from './read.js'
export type {Sidecar} from './sidecar.js'
