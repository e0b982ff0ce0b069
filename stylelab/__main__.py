import sys

from stylelab.cli import main

sys.exit(main())
