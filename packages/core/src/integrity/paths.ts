/** Archive path of the integrity record. MMS and TorchServe loaders ignore everything under `MAR-INF/` but the manifest. */
export const INTEGRITY_PATH = 'MAR-INF/integrity.json';
/** Archive path of the detached Ed25519 signature over the exact bytes of {@link INTEGRITY_PATH}. */
export const SIGNATURE_PATH = 'MAR-INF/signature.json';
