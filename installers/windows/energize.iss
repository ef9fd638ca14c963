; Inno Setup script for Energize Desktop (per-user or all-users install of the PyInstaller
; one-folder build). Build on Windows after `pyinstaller build.spec`:
;   iscc /DAppVersion=%VERSION% installers\windows\energize.iss
; `python installers/stamp.py` prints the version from pyproject.toml (the one place it lives).
#ifndef AppVersion
  #error Pass /DAppVersion=X.Y.Z (python installers/stamp.py prints it)
#endif

[Setup]
AppId={{6C1B0E52-3E0B-4C1E-9C39-6E8A2B1D4E10}
AppName=Energize
AppVersion={#AppVersion}
AppPublisher=Energize Desktop
DefaultDirName={autopf}\Energize
DefaultGroupName=Energize
PrivilegesRequiredOverridesAllowed=dialog
OutputDir=..\..\dist
OutputBaseFilename=Energize-{#AppVersion}-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ChangesAssociations=yes
UninstallDisplayIcon={app}\energize.exe
; Signing: configure a SignTool in the IDE or with /S and uncomment:
; SignTool=signtool sign /fd sha256 /tr http://timestamp.digicert.com /td sha256 $f

[Files]
Source: "..\..\dist\energize\*"; DestDir: "{app}"; Flags: recursesubdirs ignoreversion

[Icons]
Name: "{group}\Energize"; Filename: "{app}\energize.exe"; Parameters: "gui"
Name: "{group}\Energize self-test"; Filename: "{cmd}"; Parameters: "/k ""{app}\energize.exe"" --selftest"
Name: "{group}\Uninstall Energize"; Filename: "{uninstallexe}"

[Registry]
; Double-clicking a workspace file opens it in the window.
Root: HKA; Subkey: "Software\Classes\.energize"; ValueType: string; ValueName: ""; ValueData: "Energize.Workspace"; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\Energize.Workspace"; ValueType: string; ValueName: ""; ValueData: "Energize workspace"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\Energize.Workspace\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\energize.exe,0"
Root: HKA; Subkey: "Software\Classes\Energize.Workspace\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\energize.exe"" gui ""%1"""

[Run]
Filename: "{app}\energize.exe"; Parameters: "--selftest"; Flags: runhidden waituntilterminated; StatusMsg: "Checking the installed app…"
Filename: "{app}\energize.exe"; Parameters: "gui"; Description: "Open Energize"; Flags: postinstall nowait skipifsilent
