// The port lives with the other client-address helpers, so the session layer can read a client's
// country too (theft signals); the policy engine keeps offering it under its old path.
export { GeoResolver } from '../network/geo-resolver.interface.js';
