import { postgresUnavailable, skipOrFail } from './helpers.js';
import { apiSuite } from './api-suite.js';

apiSuite('postgres', skipOrFail(await postgresUnavailable()));
