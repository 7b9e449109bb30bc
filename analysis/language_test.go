package analysis

import "testing"

// Complaints that would be product-level in English, written in other
// languages: none is judged.
func TestNonEnglishIsNeverProductLevel(t *testing.T) {
	for lang, body := range map[string]string{
		"German":     "Das ist eine Sicherheitslücke: jeder kann die Passwörter der anderen Benutzer sehen, und das Login ist sehr langsam.",
		"German 2":   "Nach dem Update stürzt die App bei mir ab und ich verliere meine Daten. Bitte dringend beheben!",
		"French":     "Cette page est très lente pour les utilisateurs et le serveur plante quand il y a beaucoup de trafic.",
		"Spanish":    "El rendimiento es muy lento para los usuarios y la aplicación se cae cuando hay muchos clientes.",
		"Portuguese": "O login não funciona e os clientes estão reclamando muito, isso é uma falha de segurança.",
		"Italian":    "Il caricamento della pagina è molto lento e gli utenti non sono contenti della sicurezza.",
		"Dutch":      "Het inloggen is niet veilig en de pagina is erg traag voor een gebruiker met een grote repository.",
		"Chinese":    "这个版本的性能很差，用户登录的时候经常超时，而且有安全漏洞。",
		"Japanese":   "このページの読み込みが遅すぎて、ユーザーがログインできません。セキュリティの問題もあります。",
		"Russian":    "После обновления приложение падает, пользователи теряют данные, и это серьёзная уязвимость.",
		"Korean":     "업데이트 후 앱이 충돌하고 사용자가 로그인할 수 없습니다.",
		"Arabic":     "التطبيق بطيء جدا والمستخدمون لا يستطيعون تسجيل الدخول بسبب مشكلة أمنية.",
	} {
		if readsAsEnglish(body) {
			t.Errorf("%s read as English", lang)
		}
		if a := testAnalyzer.AnalyzeComment(body); a.ProductLevel || len(a.Concerns) > 0 {
			t.Errorf("%s: product-level %v %+v", lang, a.Concerns, a.Evidence)
		}
	}
}

// English stays English: with words other languages share ("die", "a",
// "son", "me"), names from elsewhere, code, or a foreign quote.
func TestEnglishStaysEnglish(t *testing.T) {
	for _, body := range []string{
		"This adds 300ms to checkout for every user.",
		"If the worker processes die under load, requests time out for everyone.",
		"My son uses the app on a slow phone and the page takes ten seconds to load.",
		"Müller and José both reported that the export crashes on large files.",
		"The German translation says `Das ist nicht gut`, but the crash is what users hit.",
		"Users in São Paulo see timeouts on every login since the deploy.",
		"Let me know if this breaks login for the customers on the old plan.",
		"> Die Seite ist sehr langsam und das ist nicht gut.\n\nThe reporter says the page is slow for users in Berlin.",
	} {
		if !readsAsEnglish(body) {
			t.Errorf("%q read as not English", body)
		}
	}
}

func readsAsEnglish(body string) bool {
	sc := testAnalyzer.pool.Get().(*scratch)
	defer testAnalyzer.pool.Put(sc)
	return testAnalyzer.score(sc, body, false).english
}
