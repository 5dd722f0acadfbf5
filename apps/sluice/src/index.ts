// For embedders and tests: the services both roles run on (main.ts is the daemon).
export { closeServices, createServices } from './create-services.js';
