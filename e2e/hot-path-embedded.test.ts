// The hot-path suite against `npm start` with no DATABASE_URL: the embedded database a
// newcomer gets first (it once failed most lease requests with 42P05 and streamed nothing).
import { startEmbeddedDeployment } from "../test/deployments";
import { hotPathSuite } from "./support/hot-path-suite";

hotPathSuite("the embedded database (npm start)", startEmbeddedDeployment);
