# Entry point. Kept free of newer syntax so that an old interpreter reaches the version check and says what is wrong
# instead of failing with a SyntaxError in a module it cannot parse.
import sys

if sys.version_info < (3, 9):
    sys.stderr.write(
        "model_archiver_worker needs Python >= 3.9; this is %d.%d (%s)\n"
        % (sys.version_info[0], sys.version_info[1], sys.executable)
    )
    sys.exit(3)

from model_archiver_worker.worker import main  # noqa: E402

main()
