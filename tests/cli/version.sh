# hotreload --version prints HOT_VERSION_STRING.
$HOTRELOAD --version
