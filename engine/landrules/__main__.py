from landrules.cli import main

main()
