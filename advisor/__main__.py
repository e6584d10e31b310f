from advisor.app.launch import main

main()
