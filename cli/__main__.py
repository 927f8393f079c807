import sys

from cli.main import main

main(sys.argv[1:])
