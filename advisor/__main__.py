from advisor.app.cli import main

main()
