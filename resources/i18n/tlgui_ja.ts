<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ja_JP">
<context>
    <name>AugmentPage</name>
    <message>
        <location filename="../../tlgui/gui/pages/augment.py" line="+68"/>
        <source>&lt;h2&gt;Augmentation&lt;/h2&gt;</source>
        <translation>&lt;h2&gt;データ拡張&lt;/h2&gt;</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Random changes applied to every training image, every epoch: more variety from the same pictures. Prediction never augments.</source>
        <translation>訓練画像にはエポックごとにランダムな変化が加わり、同じ画像からより多様なデータが得られます。推論ではデータ拡張は行いません。</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>none</source>
        <comment>augmentation preset</comment>
        <translation>なし</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>light</source>
        <comment>augmentation preset</comment>
        <translation>弱め</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>default</source>
        <comment>augmentation preset</comment>
        <translation>標準</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>strong</source>
        <comment>augmentation preset</comment>
        <translation>強め</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>No augmentation: train on the eval view</source>
        <translation>データ拡張なし：評価時と同じ見え方で学習します</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Preset</source>
        <translation>プリセット</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Augment training images</source>
        <translation>訓練画像をデータ拡張する</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Random crop</source>
        <translation>ランダムクロップ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Flip and rotate</source>
        <translation>反転と回転</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Colour</source>
        <translation>色</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Other</source>
        <translation>その他</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>An automatic policy adds one or two random image operations per picture</source>
        <translation>自動ポリシーは画像ごとにランダムな画像操作を 1〜2 個加えます</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Automatic policy</source>
        <translation>自動ポリシー</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>No sample yet: load a dataset.</source>
        <translation>サンプルがまだありません。データセットを読み込んでください。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Random picture</source>
        <translation>ランダムな画像</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Re-roll</source>
        <translation>引き直す</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>New random draws with the same settings</source>
        <translation>同じ設定で乱数を引き直します</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>&lt;b&gt;What training sees&lt;/b&gt; — {0} random draws</source>
        <translation>&lt;b&gt;学習で使われる画像&lt;/b&gt; — ランダムに {0} 回生成</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Load a dataset to see augmented samples here.</source>
        <translation>データセットを読み込むと、ここにデータ拡張後のサンプルが表示されます。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>&lt;b&gt;Original&lt;/b&gt;</source>
        <translation>&lt;b&gt;元画像&lt;/b&gt;</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&lt;b&gt;What prediction sees&lt;/b&gt; (resize + centre crop)</source>
        <translation>&lt;b&gt;推論で使われる画像&lt;/b&gt;（リサイズ + 中央クロップ）</translation>
    </message>
    <message>
        <location line="+56"/>
        <source>(modified)</source>
        <translation>（変更あり）</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Sample: {0}</source>
        <translation>サンプル: {0}</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Cannot read the sample: {0}</source>
        <translation>サンプルを読み込めません: {0}</translation>
    </message>
    <message>
        <location filename="../../tlgui/gui/pages/augment_parts.py" line="+30"/>
        <source>Smallest crop (share of area)</source>
        <translation>最小クロップ（面積比）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>RandomResizedCrop keeps between this and the largest share of the picture</source>
        <translation>RandomResizedCrop は画像のこの割合から最大の割合までを切り出します</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Largest crop</source>
        <translation>最大クロップ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Narrowest aspect ratio</source>
        <translation>最小アスペクト比</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Widest aspect ratio</source>
        <translation>最大アスペクト比</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Training resolution (share of input size)</source>
        <translation>学習時の解像度（入力サイズに対する比）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>While the backbone trains (fine-tune), crops of 0.8 of the input size (176 of 224 pixels) train about 1.6x faster, and since random crops zoom in, objects then look as large as prediction shows them. A frozen backbone always gets full-size crops.</source>
        <translation>バックボーンも学習する間（ファインチューニング）は、入力サイズの 0.8 倍（224 ピクセル中 176）のクロップで約 1.6 倍速く学習できます。ランダムクロップは拡大するので、物体は推論時と同じくらいの大きさに見えます。凍結したバックボーンには常にフルサイズのクロップを使います。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Horizontal flip (probability)</source>
        <translation>左右反転（確率）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Vertical flip (probability)</source>
        <translation>上下反転（確率）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Only for pictures without an up and down, e.g. microscopy</source>
        <translation>顕微鏡画像など、上下の区別がない画像にだけ使ってください</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Rotation (± degrees)</source>
        <translation>回転（± 度）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Brightness</source>
        <translation>明るさ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Contrast</source>
        <translation>コントラスト</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Saturation</source>
        <translation>彩度</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Hue</source>
        <translation>色相</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Greyscale (probability)</source>
        <translation>グレースケール化（確率）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Blur (probability)</source>
        <translation>ぼかし（確率）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Random erasing (probability)</source>
        <translation>ランダム消去（確率）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Blanks a random rectangle: makes the model look at more than one spot</source>
        <translation>ランダムな長方形を塗りつぶし、モデルが 1 か所だけに頼らないようにします</translation>
    </message>
</context>
<context>
    <name>CamDialog</name>
    <message>
        <location filename="../../tlgui/gui/widgets/gallery.py" line="+175"/>
        <source>Grad-CAM: %1</source>
        <translation>Grad-CAM: %1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>True: &lt;b&gt;%1&lt;/b&gt; — predicted: &lt;b&gt;%2&lt;/b&gt; (%3 %), loss %4</source>
        <translation>正解: &lt;b&gt;%1&lt;/b&gt; — 予測: &lt;b&gt;%2&lt;/b&gt;（%3 %）、損失 %4</translation>
    </message>
    <message>
        <location line="+7"/>
        <location line="+50"/>
        <source>Computing Grad-CAM…</source>
        <translation>Grad-CAM を計算中…</translation>
    </message>
    <message>
        <location line="-46"/>
        <source>Show Grad-CAM overlay</source>
        <translation>Grad-CAM を重ねて表示</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Explain the predicted class (%1)</source>
        <translation>予測クラス（%1）の根拠を表示</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Explain the true class (%1)</source>
        <translation>正解クラス（%1）の根拠を表示</translation>
    </message>
    <message>
        <location line="+54"/>
        <source>Grad-CAM failed: %1</source>
        <translation>Grad-CAM に失敗しました: %1</translation>
    </message>
</context>
<context>
    <name>CodeView</name>
    <message>
        <location filename="../../tlgui/gui/code_view.py" line="+113"/>
        <source>Training script</source>
        <translation>学習スクリプト</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>A plain rendering of the recipe, without tlgui&apos;s speed-ups: run it with python train.py DATA. Its accuracy will be close to tlgui&apos;s, not identical.</source>
        <translation>tlgui の高速化を使わずに、学習の手順をそのまま書き出したものです。python train.py DATA で実行できます。正解率は tlgui に近くなりますが、同一にはなりません。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Copy</source>
        <translation>コピー</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Save…</source>
        <translation>保存…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Close</source>
        <translation>閉じる</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Source:</source>
        <translation>元にするもの:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Flavour:</source>
        <translation>書き方:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Comments:</source>
        <translation>コメント:</translation>
    </message>
    <message>
        <location line="+58"/>
        <source>Save training script</source>
        <translation>学習スクリプトを保存</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Python (*.py)</source>
        <translation>Python (*.py)</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Cannot save</source>
        <translation>保存できません</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Model {0}</source>
        <translation>モデル {0}</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Model trained in run {0}</source>
        <translation>学習 {0} で作ったモデル</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Current Train settings</source>
        <translation>「学習」ステップの現在の設定</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Cannot make a training script</source>
        <translation>学習スクリプトを作れません</translation>
    </message>
</context>
<context>
    <name>ConfusionHover</name>
    <message>
        <location filename="../../tlgui/gui/widgets/confusion_hover.py" line="+21"/>
        <source>true: %1
predicted: %2
%3 images (%4 % of the true class)</source>
        <translation>正解: %1
予測: %2
%3 枚 (正解クラスの %4 %)</translation>
    </message>
</context>
<context>
    <name>CurvesCanvas</name>
    <message>
        <location filename="../../tlgui/gui/widgets/curves.py" line="+178"/>
        <source>Reset view</source>
        <translation>表示をリセット</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Show all the data again after zooming or panning (drag to pan, scroll to zoom)</source>
        <translation>拡大・移動したあとで全データを再表示します（ドラッグで移動、スクロールで拡大縮小）</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Export PNG…</source>
        <translation>PNG に書き出す…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Save the curves as a PNG picture</source>
        <translation>学習曲線を PNG 画像として保存します</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Loss</source>
        <translation>損失</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Accuracy</source>
        <translation>正解率</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>train, per batch (smoothed)</source>
        <translation>訓練（バッチごと、平滑化）</translation>
    </message>
    <message>
        <location line="+5"/>
        <location line="+2"/>
        <source>train</source>
        <translation>訓練</translation>
    </message>
    <message>
        <location line="-1"/>
        <location line="+2"/>
        <source>validation</source>
        <translation>検証</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>epoch</source>
        <translation>エポック</translation>
    </message>
    <message>
        <location line="+153"/>
        <location line="+10"/>
        <source>Export curves</source>
        <translation>学習曲線の書き出し</translation>
    </message>
    <message>
        <location line="-10"/>
        <source>PNG pictures (*.png)</source>
        <translation>PNG 画像 (*.png)</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Could not write {0}.</source>
        <translation>{0} に書き込めませんでした。</translation>
    </message>
</context>
<context>
    <name>DataPage</name>
    <message>
        <location filename="../../tlgui/gui/pages/data.py" line="+67"/>
        <source>&lt;h2&gt;Dataset&lt;/h2&gt;</source>
        <translation>&lt;h2&gt;データセット&lt;/h2&gt;</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>A folder with &lt;b&gt;train/&lt;/b&gt; and &lt;b&gt;val/&lt;/b&gt; sub-folders of class folders, or just one folder per class. Drop a folder anywhere on the window.</source>
        <translation>クラスごとのフォルダーを含む &lt;b&gt;train/&lt;/b&gt; と &lt;b&gt;val/&lt;/b&gt; のサブフォルダーがあるフォルダー、またはクラスごとのフォルダーだけのフォルダーを選びます。ウィンドウのどこにフォルダーをドロップしてもかまいません。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Dataset folder…</source>
        <translation>データセットのフォルダー…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Choose folder…</source>
        <translation>フォルダーを選択…</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Share of each class held out for validation when the folder has no val/ folder</source>
        <translation>val/ フォルダーがないとき、各クラスから検証用に取り分ける割合</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Validation share:</source>
        <translation>検証データの割合:</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Check dataset…</source>
        <translation>データセットを検査…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Find likely label errors, near-duplicates and outliers</source>
        <translation>ラベルの誤りらしきもの、ほぼ同じ画像、外れ値を探します</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>No dataset loaded yet.</source>
        <translation>データセットはまだ読み込まれていません。</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Use class-weighted loss</source>
        <translation>クラス重み付き損失を使う</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>&lt;b&gt;Classes&lt;/b&gt;</source>
        <translation>&lt;b&gt;クラス&lt;/b&gt;</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>&lt;b&gt;Skipped files&lt;/b&gt;</source>
        <translation>&lt;b&gt;スキップしたファイル&lt;/b&gt;</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Files that could not be read, with the reason</source>
        <translation>読み込めなかったファイルとその理由</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>&lt;b&gt;Examples&lt;/b&gt; — click one to use it in the augmentation preview</source>
        <translation>&lt;b&gt;画像の例&lt;/b&gt; — クリックするとデータ拡張のプレビューに使います</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Choose a dataset folder</source>
        <translation>データセットのフォルダーを選択</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Scanning {0}…</source>
        <translation>{0} を調べています…</translation>
    </message>
    <message>
        <location line="+49"/>
        <source>Cannot use this folder: {0}</source>
        <translation>このフォルダーは使えません: {0}</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Class</source>
        <translation>クラス</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Total</source>
        <translation>合計</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>{0} classes</source>
        <translation>{0} クラス</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{0} {1} images</source>
        <translation>{1}画像 {0} 枚</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>No val/ folder: {0:.0%} of each class was held out for validation (stratified, seeded).</source>
        <translation>val/ フォルダーがないため、各クラスの {0:.0%} を検証用に取り分けました（層化抽出、シード固定）。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Classes are imbalanced: the largest has {0:.1f}× the images of the smallest. A class-weighted loss keeps the model from favouring the big class.</source>
        <translation>クラスの画像数に偏りがあります。最も多いクラスは最も少ないクラスの {0:.1f} 倍です。クラス重み付き損失を使うと、モデルが多いクラスに偏るのを防げます。</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>&lt;b&gt;Skipped files&lt;/b&gt; ({0})</source>
        <translation>&lt;b&gt;スキップしたファイル&lt;/b&gt;（{0}）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>train</source>
        <translation>訓練</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>val</source>
        <translation>検証</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>test</source>
        <translation>テスト</translation>
    </message>
</context>
<context>
    <name>DoctorController</name>
    <message>
        <location filename="../../tlgui/gui/doctor.py" line="+89"/>
        <source>Dataset check</source>
        <translation>データセットの診断</translation>
    </message>
    <message>
        <location line="+53"/>
        <source>No dataset</source>
        <translation>データセットがありません</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Open a dataset folder first.</source>
        <translation>先にデータセットのフォルダーを開いてください。</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>The check was cancelled.</source>
        <translation>診断は中止されました。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>The check failed: {0}</source>
        <translation>診断に失敗しました: {0}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cannot check the dataset</source>
        <translation>データセットを診断できません</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>Move {0} to the class folder “{1}”? Undo moves it back.</source>
        <translation>{0} をクラスフォルダー「{1}」へ移動しますか？ 元に戻すと戻せます。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Move picture</source>
        <translation>画像を移動</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Cannot move the picture</source>
        <translation>画像を移動できません</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>moved to {0}</source>
        <translation>{0} へ移動しました</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>Cannot undo the move</source>
        <translation>移動を元に戻せません</translation>
    </message>
</context>
<context>
    <name>DoctorPanel</name>
    <message>
        <location filename="../../tlgui/gui/doctor_panel.py" line="+126"/>
        <location line="+75"/>
        <source>Checking the dataset…</source>
        <translation>データセットを検査中…</translation>
    </message>
    <message>
        <location line="-70"/>
        <source>Cancel</source>
        <translation>キャンセル</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Exclude from training</source>
        <translation>学習から除外</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Move to class…</source>
        <translation>クラスへ移動…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Open location</source>
        <translation>場所を開く</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Undo</source>
        <translation>元に戻す</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Include again</source>
        <translation>再び含める</translation>
    </message>
    <message>
        <location line="+49"/>
        <source>Analysing the embeddings…</source>
        <translation>埋め込みを分析中…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Embedding the images…</source>
        <translation>画像の埋め込みを計算中…</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>{0}
labelled {1}, looks like {2} (score {3:.3f})</source>
        <translation>{0}
ラベルは {1}、{2} に見えます（スコア {3:.3f}）</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>identical</source>
        <translation>同一</translation>
    </message>
    <message>
        <location line="+1"/>
        <source> · leak</source>
        <translation> · リーク</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>{0}
group {1}: {2}</source>
        <translation>{0}
グループ {1}: {2}</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Likely label errors ({0})</source>
        <translation>ラベルの誤りらしきもの（{0}）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Near-duplicates ({0}, {1} across splits)</source>
        <translation>ほぼ同じ画像（{0}、うち分割をまたぐもの {1}）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Outliers ({0})</source>
        <translation>外れ値（{0}）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{0} images checked in {1:.1f} s with {2}. Classes: {3} (imbalance {4:.1f}:1). {5} unreadable file(s) skipped.</source>
        <translation>{2} で {0} 枚を {1:.1f} 秒で検査しました。クラス: {3}（偏り {4:.1f}:1）。読み込めないファイル {5} 個をスキップしました。</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>&lt;b&gt;Excluded from training&lt;/b&gt; ({0})</source>
        <translation>&lt;b&gt;学習から除外&lt;/b&gt;（{0}）</translation>
    </message>
</context>
<context>
    <name>Fields</name>
    <message>
        <location filename="../../tlgui/gui/field_texts.py" line="+31"/>
        <source>Backbone</source>
        <translation>バックボーン</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The pretrained network whose features the new head uses.</source>
        <translation>新しいヘッドが特徴量を使う、事前学習済みのネットワークです。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Weights</source>
        <translation>重み</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>imagenet (pretrained), none (random start), or a path to a state-dict file.</source>
        <translation>imagenet（事前学習済み）、none（ランダムな初期値）、または state dict ファイルのパスです。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Training mode</source>
        <translation>学習モード</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>transfer: frozen backbone, train the new head; finetune: train all layers; staged: frozen epochs, then all layers.</source>
        <translation>transfer: バックボーンを凍結して新しいヘッドだけを学習（転移学習）、finetune: すべての層を学習（ファインチューニング）、staged: 凍結したエポックのあとですべての層を学習します。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Epochs</source>
        <translation>エポック数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Passes over the training images.</source>
        <translation>訓練画像全体を何周学習するかです。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Batch size</source>
        <translation>バッチサイズ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Images per training step.</source>
        <translation>1 回の学習ステップで使う画像の枚数です。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Head learning rate</source>
        <translation>ヘッドの学習率</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Learning rate of the new output layer.</source>
        <translation>新しい出力層の学習率です。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Backbone learning rate</source>
        <translation>バックボーンの学習率</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Learning rate of the pretrained layers when they train: finetune and staged modes.</source>
        <translation>事前学習済みの層を学習するとき（finetune と staged モード）の学習率です。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Optimizer</source>
        <translation>最適化手法</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The optimizer: SGD with momentum, Adam or AdamW.</source>
        <translation>最適化手法（オプティマイザ）: モーメンタム付き SGD、Adam、AdamW のいずれかです。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Weight decay</source>
        <translation>重み減衰</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>L2 penalty on the weights (decoupled for AdamW).</source>
        <translation>重みに対する L2 ペナルティです（AdamW では分離型）。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Schedule</source>
        <translation>学習率スケジュール</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>How the learning rate changes: cosine decay with linear warm-up, one-cycle, a step down every third of the run, or constant (none).</source>
        <translation>学習率の変え方: 線形ウォームアップ付きのコサイン減衰、One-cycle、学習の 3 分の 1 ごとの段階的な減衰、または一定（none）です。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Label smoothing</source>
        <translation>ラベル平滑化</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Share of each target spread over the other classes.</source>
        <translation>正解ラベルのうち、ほかのクラスに分配する割合です。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Class-weighted loss</source>
        <translation>クラス重み付き損失</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Weight the loss by inverse class frequency (for imbalanced data).</source>
        <translation>クラスの出現頻度の逆数で損失に重みを付けます（クラスに偏りがあるデータ向け）。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Dropout</source>
        <translation>ドロップアウト</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Dropout before the new output layer.</source>
        <translation>新しい出力層の手前に入れるドロップアウトです。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Frozen epochs first</source>
        <translation>最初に凍結するエポック数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Staged mode: epochs with a frozen backbone before all layers train.</source>
        <translation>staged モードで、すべての層を学習する前にバックボーンを凍結して学習するエポック数です。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Early-stopping patience</source>
        <translation>早期終了の猶予エポック数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Early stopping: stop after this many epochs without a better validation score (0 = off).</source>
        <translation>早期終了: 検証スコアがこのエポック数のあいだ改善しなければ学習を止めます（0 = 使わない）。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Monitor</source>
        <translation>監視する指標</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The validation score that early stopping and the best weights follow.</source>
        <translation>早期終了と最良の重みの選択に使う検証スコアです。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Minimum improvement</source>
        <translation>最小改善幅</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Smallest change of the monitored score that counts as better.</source>
        <translation>監視する指標が改善したとみなす最小の変化量です。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Augmentation</source>
        <translation>データ拡張</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The augmentation applied to training images.</source>
        <translation>訓練画像に適用するデータ拡張です。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Seed</source>
        <translation>乱数シード</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Seed of every random draw: the same seed repeats a run.</source>
        <translation>すべての乱数のシードです。同じシードなら同じ学習を再現できます。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Device</source>
        <translation>デバイス</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Where to train: auto picks CUDA, then Apple MPS, then CPU.</source>
        <translation>学習に使うデバイスです。auto は CUDA、Apple MPS、CPU の順に選びます。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Loader workers</source>
        <translation>DataLoader のワーカー数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>DataLoader worker processes (-1 = auto).</source>
        <translation>DataLoader のワーカープロセス数です（-1 = 自動）。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Decoded-image cache (MB)</source>
        <translation>デコード済み画像のキャッシュ（MB）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Memory for decoded training pictures kept between epochs when they load in the training process, so each is decoded once (0 = off).</source>
        <translation>学習プロセス内で画像を読み込むとき、デコードした訓練画像をエポック間で保持するメモリ量です。各画像のデコードは 1 回で済みます（0 = 使わない）。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Cache frozen features</source>
        <translation>凍結した特徴量をキャッシュ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Compute a frozen backbone&apos;s features once instead of every batch.</source>
        <translation>凍結したバックボーンの特徴量をバッチごとではなく 1 回だけ計算します。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Channels-last memory</source>
        <translation>channels-last メモリ配置</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Run convolutions on channels-last tensors (faster on most hardware).</source>
        <translation>畳み込みを channels-last 形式のテンソルで実行します（多くのハードウェアで高速です）。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Mixed precision</source>
        <translation>混合精度</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Mixed precision on CUDA.</source>
        <translation>CUDA で混合精度を使います。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Inference backend</source>
        <translation>推論バックエンド</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>What runs a frozen backbone on the CPU: auto picks ONNX Runtime when its output matches PyTorch&apos;s, else PyTorch; torch or onnxruntime force one.</source>
        <translation>CPU で凍結したバックボーンを実行するものです。auto は出力が PyTorch と一致すれば ONNX Runtime を、そうでなければ PyTorch を選びます。torch か onnxruntime を指定するとそれを使います。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Keep duplicates together</source>
        <translation>重複画像を同じ側にまとめる</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>When tlgui splits off the validation images itself, each group of duplicate pictures (identical files, and the near-duplicates the dataset check found) stays on one side.</source>
        <translation>tlgui が検証用の画像を自分で分けるとき、重複画像のグループ（同一ファイルと、データセットの検査で見つかったほぼ同じ画像）を訓練と検証のどちらか一方にまとめます。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Excluded files</source>
        <translation>除外したファイル</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Files left out of the run, relative to the dataset folder.</source>
        <translation>学習から除外するファイルです（データセットのフォルダーからの相対パス）。</translation>
    </message>
</context>
<context>
    <name>LrFinderDialog</name>
    <message>
        <location filename="../../tlgui/gui/widgets/lr_finder.py" line="+60"/>
        <source>Learning-rate finder</source>
        <translation>学習率ファインダー</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Trains the new head for a few batches with a learning rate that grows exponentially and records the loss. Your model is not changed.</source>
        <translation>学習率を指数的に大きくしながら新しいヘッドを数バッチ学習し、損失を記録します。あなたのモデルは変更されません。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Preparing…</source>
        <translation>準備中…</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Use this LR</source>
        <translation>この学習率を使う</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Cancel</source>
        <translation>キャンセル</translation>
    </message>
    <message>
        <location line="+49"/>
        <source>Computing backbone features… %1 / %2</source>
        <translation>バックボーンの特徴量を計算中… %1 / %2</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Range test: batch %1 / %2</source>
        <translation>レンジテスト: バッチ %1 / %2</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Cancelled.</source>
        <translation>キャンセルしました。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Suggested learning rate: %1</source>
        <translation>推奨学習率: %1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The loss curve gave no usable suggestion.</source>
        <translation>損失曲線から使える推奨値が得られませんでした。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The range test failed: %1</source>
        <translation>レンジテストに失敗しました: %1</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>learning rate (log scale)</source>
        <translation>学習率（対数スケール）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>loss (smoothed)</source>
        <translation>損失（平滑化）</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>suggested %1</source>
        <translation>推奨 %1</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../tlgui/gui/dialogs.py" line="+60"/>
        <location filename="../../tlgui/gui/menus.py" line="+115"/>
        <source>About tlgui</source>
        <translation>tlgui について</translation>
    </message>
    <message>
        <location line="-11"/>
        <source>&lt;h3&gt;tlgui&lt;/h3&gt;&lt;p&gt;Point-and-click transfer learning for image classification.&lt;/p&gt;&lt;p&gt;{0}&lt;/p&gt;&lt;p&gt;Device: {1}&lt;/p&gt;</source>
        <translation>&lt;h3&gt;tlgui&lt;/h3&gt;&lt;p&gt;クリック操作でできる画像分類の転移学習。&lt;/p&gt;&lt;p&gt;{0}&lt;/p&gt;&lt;p&gt;デバイス: {1}&lt;/p&gt;</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>not known yet</source>
        <translation>まだ不明</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&lt;p&gt;Licence: {0}&lt;/p&gt;</source>
        <translation>&lt;p&gt;ライセンス: {0}&lt;/p&gt;</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Training is running</source>
        <translation>学習中です</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stop training and quit? The run can be continued later with File ▸ Resume Run….</source>
        <translation>学習を停止して終了しますか？ あとで ファイル ▸ 学習を再開… から続きを実行できます。</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Unsaved model</source>
        <translation>未保存のモデル</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The trained model has not been saved. Save it before quitting?</source>
        <translation>学習したモデルはまだ保存されていません。終了する前に保存しますか？</translation>
    </message>
    <message>
        <location filename="../../tlgui/gui/main_window.py" line="+71"/>
        <source>tlgui — transfer learning for images</source>
        <translation>tlgui — 画像の転移学習</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Loading…</source>
        <translation>読み込み中…</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Data</source>
        <translation>データ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Augment</source>
        <translation>データ拡張</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Train</source>
        <translation>学習</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Results</source>
        <translation>結果</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Predict</source>
        <translation>推論</translation>
    </message>
    <message>
        <location filename="../../tlgui/gui/export_model.py" line="+67"/>
        <source>Nothing to export</source>
        <translation>書き出すものがありません</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open or train a model first.</source>
        <translation>先にモデルを開くか学習してください。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Exporting {0}…</source>
        <translation>{0} を書き出し中…</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Exported {0}</source>
        <translation>{0} を書き出しました</translation>
    </message>
    <message>
        <location line="+5"/>
        <location filename="../../tlgui/gui/main_window.py" line="+15"/>
        <location line="+42"/>
        <location line="+30"/>
        <location line="+44"/>
        <source>Ready</source>
        <translation>準備完了</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cannot export the model</source>
        <translation>モデルを書き出せません</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>ONNX model (*.onnx)</source>
        <translation>ONNX モデル (*.onnx)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>TorchScript model (*.pt)</source>
        <translation>TorchScript モデル (*.pt)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Export model</source>
        <translation>モデルを書き出す</translation>
    </message>
    <message>
        <location filename="../../tlgui/gui/main_window.py" line="-114"/>
        <source>Device: starting…</source>
        <translation>デバイス: 起動中…</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>Cannot use this folder</source>
        <translation>このフォルダーは使えません</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Scanning…</source>
        <translation>調べています…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Training</source>
        <translation>学習</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Training failed</source>
        <translation>学習に失敗しました</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Cannot resume the run</source>
        <translation>学習を再開できません</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Loading model {0}…</source>
        <translation>モデル {0} を読み込み中…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Cannot open the model</source>
        <translation>モデルを開けません</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Model {0} loaded</source>
        <translation>モデル {0} を読み込みました</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Dataset: {0} images in {1} classes</source>
        <translation>データセット: {1} クラス、{0} 枚</translation>
    </message>
    <message>
        <location line="+9"/>
        <location filename="../../tlgui/gui/server_run.py" line="+86"/>
        <location line="+24"/>
        <source>No dataset</source>
        <translation>データセットがありません</translation>
    </message>
    <message>
        <location line="+0"/>
        <location filename="../../tlgui/gui/server_run.py" line="-23"/>
        <location line="+24"/>
        <source>Open a dataset folder first.</source>
        <translation>先にデータセットのフォルダーを開いてください。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Training…</source>
        <translation>学習中…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stopping…</source>
        <translation>停止中…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Preparing to resume the run…</source>
        <translation>学習の再開を準備中…</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>trained just now</source>
        <translation>いま学習したモデル</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Trained: best validation accuracy {0:.1%}</source>
        <translation>学習完了: 最良の検証正解率 {0:.1%}</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Cannot save the model</source>
        <translation>モデルを保存できません</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Saved {0}</source>
        <translation>{0} を保存しました</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Nothing to save</source>
        <translation>保存するものがありません</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Train a model first.</source>
        <translation>先にモデルを学習してください。</translation>
    </message>
    <message>
        <location line="+62"/>
        <location line="+5"/>
        <source>Device: {0}</source>
        <translation>デバイス: {0}</translation>
    </message>
    <message>
        <location filename="../../tlgui/gui/menus.py" line="-59"/>
        <source>(none yet)</source>
        <translation>（まだありません）</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Open dataset folder…</source>
        <translation>データセットのフォルダーを開く…</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Open model…</source>
        <translation>モデルを開く…</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Save model as…</source>
        <translation>名前を付けてモデルを保存…</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Resume Run…</source>
        <translation>学習を再開…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Continue a training run that was stopped, failed or interrupted</source>
        <translation>停止・失敗・中断した学習の続きを実行します</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Preferences…</source>
        <translation>設定…</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Quit</source>
        <translation>終了</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Start training</source>
        <translation>学習を開始</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Stop training</source>
        <translation>学習を停止</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Open Project…</source>
        <translation>プロジェクトを開く…</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Save Project…</source>
        <translation>プロジェクトを保存…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Runs…</source>
        <translation>学習の履歴…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;File</source>
        <translation>ファイル(&amp;F)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Export</source>
        <translation>書き出し</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Model…</source>
        <translation>モデル…</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Training script…</source>
        <translation>学習スクリプト…</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Export run for a server…</source>
        <translation>サーバー用に学習を書き出す…</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Recent datasets</source>
        <translation>最近使ったデータセット</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Recent models</source>
        <translation>最近使ったモデル</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Recent projects</source>
        <translation>最近使ったプロジェクト</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>&amp;Train</source>
        <translation>学習(&amp;T)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;View</source>
        <translation>表示(&amp;V)</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Model inspector…</source>
        <translation>モデルの確認…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;Help</source>
        <translation>ヘルプ(&amp;H)</translation>
    </message>
    <message>
        <location filename="../../tlgui/gui/model_files.py" line="+73"/>
        <source>Save model as</source>
        <translation>名前を付けてモデルを保存</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>tlgui model (*.pt)</source>
        <translation>tlgui モデル (*.pt)</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Open model</source>
        <translation>モデルを開く</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>tlgui model (*.pt);;All files (*)</source>
        <translation>tlgui モデル (*.pt);;すべてのファイル (*)</translation>
    </message>
    <message>
        <location filename="../../tlgui/gui/server_run.py" line="-14"/>
        <source>Cannot export the run</source>
        <translation>学習設定を書き出せません</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Export run for a server</source>
        <translation>サーバー用に学習を書き出す</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Run file (*.json)</source>
        <translation>学習ファイル (*.json)</translation>
    </message>
</context>
<context>
    <name>MistakesGallery</name>
    <message>
        <location filename="../../tlgui/gui/widgets/gallery.py" line="-170"/>
        <source>%1 → %2
%3 %</source>
        <translation>%1 → %2
%3 %</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1
true: %2, predicted: %3 (%4 %), loss %5</source>
        <translation>%1
正解: %2、予測: %3（%4 %）、損失 %5</translation>
    </message>
</context>
<context>
    <name>ModelInspector</name>
    <message>
        <location filename="../../tlgui/gui/inspector.py" line="+89"/>
        <source>Model inspector</source>
        <translation>モデルの確認</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Classes:</source>
        <translation>クラス数:</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Classes of the new head (the dataset&apos;s, once one is loaded)</source>
        <translation>新しいヘッドのクラス数（データセットを読み込むとその数）</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Building the model…</source>
        <translation>モデルを構築中…</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Layer</source>
        <translation>層</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Type</source>
        <translation>種類</translation>
    </message>
    <message>
        <location line="+0"/>
        <location line="+17"/>
        <source>Parameters</source>
        <translation>パラメーター数</translation>
    </message>
    <message>
        <location line="-17"/>
        <source>Trains?</source>
        <translation>学習する?</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>&lt;b&gt;Optimizer parameter groups&lt;/b&gt;</source>
        <translation>&lt;b&gt;最適化手法のパラメーターグループ&lt;/b&gt;</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Epochs</source>
        <translation>エポック</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Group</source>
        <translation>グループ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Learning rate</source>
        <translation>学習率</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Weight decay</source>
        <translation>重み減衰</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Tensors</source>
        <translation>テンソル数</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>&lt;b&gt;Preprocessing and postprocessing&lt;/b&gt;</source>
        <translation>&lt;b&gt;前処理と後処理&lt;/b&gt;</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Try a picture…</source>
        <translation>画像で試す…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Run one picture through the network before training: check the input, the output and what the pretrained network sees</source>
        <translation>学習の前に画像を 1 枚ネットワークに通し、入力、出力、事前学習済みネットワークの認識結果を確認します</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Try a picture: its input tensor, the network&apos;s output, the pretrained network&apos;s ImageNet top-5 and the new head&apos;s untrained probabilities.</source>
        <translation>画像で試す: 入力テンソル、ネットワークの出力、事前学習済みネットワークの ImageNet 上位 5 件、未学習の新しいヘッドの確率を表示します。</translation>
    </message>
    <message>
        <location line="+57"/>
        <source>class {0}</source>
        <translation>クラス {0}</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>Cannot inspect these settings: {0}</source>
        <translation>この設定は確認できません: {0}</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>&lt;b&gt;{0}&lt;/b&gt; · mode {1} · {2} classes · optimizer {3}, schedule {4}</source>
        <translation>&lt;b&gt;{0}&lt;/b&gt; · モード {1} · {2} クラス · 最適化手法 {3}、スケジュール {4}</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Try a picture</source>
        <translation>画像で試す</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Images (*.jpg *.jpeg *.png *.bmp *.gif *.webp *.tif *.tiff);;All files (*)</source>
        <translation>画像 (*.jpg *.jpeg *.png *.bmp *.gif *.webp *.tif *.tiff);;すべてのファイル (*)</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Running {0} through the network…</source>
        <translation>{0} をネットワークに通しています…</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>Downloading the ImageNet weights: {0:.1f} of {1:.1f} MB</source>
        <translation>ImageNet の重みをダウンロード中: {1:.1f} MB 中 {0:.1f} MB</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Cannot try this picture: {0}</source>
        <translation>この画像では試せません: {0}</translation>
    </message>
    <message>
        <location filename="../../tlgui/gui/inspector_views.py" line="+34"/>
        <source>the backbone is frozen, only the new head trains</source>
        <translation>バックボーンは凍結し、新しいヘッドだけを学習</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>every layer trains</source>
        <translation>すべての層を学習</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Phase {0}, epochs {1}–{2} ({3}): {4} parameters, {5} trainable, {6} frozen</source>
        <translation>フェーズ {0}、エポック {1}–{2}（{3}）: パラメーター {4} 個、学習対象 {5} 個、凍結 {6} 個</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>yes</source>
        <translation>はい</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>no</source>
        <translation>いいえ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>partly</source>
        <translation>一部</translation>
    </message>
    <message>
        <location line="+76"/>
        <source>Preprocessing (validation, prediction, a tried picture):</source>
        <translation>前処理（検証、推論、試した画像）:</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Training pictures while the backbone is frozen:</source>
        <translation>バックボーンを凍結している間の訓練画像:</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Training pictures while the backbone trains:</source>
        <translation>バックボーンも学習する間の訓練画像:</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Postprocessing: logits → {0}</source>
        <translation>後処理: ロジット → {0}</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Input tensor after preprocessing: shape {0}, values {1:.3f} to {2:.3f} (mean {3:.3f}, std {4:.3f})</source>
        <translation>前処理後の入力テンソル: 形状 {0}、値 {1:.3f}〜{2:.3f}（平均 {3:.3f}、標準偏差 {4:.3f}）</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Backbone features: shape {0} → new head&apos;s output: shape {1}</source>
        <translation>バックボーンの特徴量: 形状 {0} → 新しいヘッドの出力: 形状 {1}</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>ImageNet top-5: none ({0})</source>
        <translation>ImageNet 上位 5 件: なし（{0}）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>ImageNet top-5 of the pretrained network, before its output layer is replaced:</source>
        <translation>出力層を置き換える前の、事前学習済みネットワークの ImageNet 上位 5 件:</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The new head&apos;s probabilities (untrained):</source>
        <translation>新しいヘッドの確率（未学習）:</translation>
    </message>
</context>
<context>
    <name>PredictPage</name>
    <message>
        <location filename="../../tlgui/gui/pages/predict.py" line="+60"/>
        <source>&lt;h2&gt;Predict&lt;/h2&gt;</source>
        <translation>&lt;h2&gt;推論&lt;/h2&gt;</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Drop pictures or folders here to classify them
— or drop a .pt model file to use it</source>
        <translation>ここに画像やフォルダーをドロップすると分類します
— .pt モデルファイルをドロップするとそのモデルを使います</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Open images…</source>
        <translation>画像を開く…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Paste</source>
        <translation>貼り付け</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Classify the picture on the clipboard (Ctrl+V)</source>
        <translation>クリップボードの画像を分類します (Ctrl+V)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Open model…</source>
        <translation>モデルを開く…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Clear</source>
        <translation>クリア</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>top </source>
        <translation>上位 </translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Show Grad-CAM</source>
        <translation>Grad-CAM を表示</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Overlay where the model looked when it decided (computed per picture)</source>
        <translation>モデルが判断のときに注目した場所を重ねて表示します（画像ごとに計算）</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Picture</source>
        <translation>画像</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>File</source>
        <translation>ファイル</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Prediction</source>
        <translation>推論結果</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>No model yet: train one on the Train step, or open a saved .pt model.</source>
        <translation>モデルがまだありません。「学習」ステップで学習するか、保存した .pt モデルを開いてください。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Model: &lt;b&gt;{0}&lt;/b&gt; — {1} classes ({2}) — {3}</source>
        <translation>モデル: &lt;b&gt;{0}&lt;/b&gt; — {1} クラス（{2}）— {3}</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Choose pictures</source>
        <translation>画像を選択</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Images (*.jpg *.jpeg *.png *.bmp *.gif *.tif *.tiff *.webp);;All files (*)</source>
        <translation>画像 (*.jpg *.jpeg *.png *.bmp *.gif *.tif *.tiff *.webp);;すべてのファイル (*)</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>The clipboard holds no picture.</source>
        <translation>クリップボードに画像がありません。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>No model to predict with: train one or open a .pt model first.</source>
        <translation>推論に使うモデルがありません。先に学習するか .pt モデルを開いてください。</translation>
    </message>
    <message>
        <location line="+36"/>
        <source>Predicting…</source>
        <translation>推論中…</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>{0} picture(s) predicted</source>
        <translation>{0} 枚を推論しました</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>, {0} unreadable</source>
        <translation>、{0} 枚は読み込めません</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Prediction failed: {0}</source>
        <translation>推論に失敗しました: {0}</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>skipped: {0}</source>
        <translation>スキップ: {0}</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Not sure: below the threshold in Preferences</source>
        <translation>自信なし: 設定のしきい値未満です</translation>
    </message>
</context>
<context>
    <name>PreferencesDialog</name>
    <message>
        <location filename="../../tlgui/gui/preferences.py" line="+99"/>
        <source>Preferences</source>
        <translation>設定</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>System language ({0})</source>
        <translation>システムの言語（{0}）</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>The device the Train form starts with</source>
        <translation>「学習」ステップで最初に選ばれるデバイスです</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Automatic</source>
        <translation>自動</translation>
    </message>
    <message>
        <location line="+2"/>
        <source> MB</source>
        <translation> MB</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Off</source>
        <translation>使わない</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Keep all</source>
        <translation>すべて残す</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Keep this many of the newest finished runs and delete older finished ones. Stopped, failed and running runs are never deleted. 0 keeps all.</source>
        <translation>完了した学習を新しいものからこの数だけ残し、それより古い完了済みの学習を削除します。停止・失敗・実行中の学習は削除しません。0 ならすべて残します。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Language</source>
        <translation>言語</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>A new language is used from the next start of tlgui.</source>
        <translation>新しい言語は tlgui の次回起動時から使われます。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Default device</source>
        <translation>既定のデバイス</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>DataLoader workers</source>
        <translation>DataLoader のワーカー数</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Finished runs kept</source>
        <translation>残す完了済みの学習</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>A prediction whose calibrated top-class probability is below this is marked “not sure”. 0 marks none.</source>
        <translation>較正後の最上位クラスの確率がこの値未満の推論結果に「自信なし」の印を付けます。0 なら印を付けません。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>“Not sure” below</source>
        <translation>「自信なし」のしきい値</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Set by the {0} environment variable</source>
        <translation>環境変数 {0} で指定されています</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Where new training runs are kept; empty: the default folder shown</source>
        <translation>新しい学習の記録を保存する場所です。空欄なら表示されている既定のフォルダーを使います</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Browse…</source>
        <translation>参照…</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Runs made before a change stay where they are.</source>
        <translation>変更前の学習の記録は元の場所に残ります。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Runs location</source>
        <translation>学習の記録の保存先</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Choose the runs location</source>
        <translation>学習の記録の保存先を選択</translation>
    </message>
</context>
<context>
    <name>Projects</name>
    <message>
        <location filename="../../tlgui/gui/projects.py" line="+32"/>
        <source>tlgui projects (*.tlgui.json *.json);;All files (*)</source>
        <translation>tlgui プロジェクト (*.tlgui.json *.json);;すべてのファイル (*)</translation>
    </message>
    <message>
        <location line="+20"/>
        <location line="+7"/>
        <source>Cannot save the project</source>
        <translation>プロジェクトを保存できません</translation>
    </message>
    <message>
        <location line="-6"/>
        <source>Open a dataset folder first.</source>
        <translation>先にデータセットのフォルダーを開いてください。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Project saved: {0}</source>
        <translation>プロジェクトを保存しました: {0}</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Save project</source>
        <translation>プロジェクトを保存</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Open project</source>
        <translation>プロジェクトを開く</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>The dataset {0} is gone: where is it now?</source>
        <translation>データセット {0} が見つかりません。いまはどこにありますか？</translation>
    </message>
    <message>
        <location line="+12"/>
        <location line="+7"/>
        <source>Cannot open the project</source>
        <translation>プロジェクトを開けません</translation>
    </message>
    <message>
        <location line="-6"/>
        <source>Stop the training run first.</source>
        <translation>先に学習を停止してください。</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Dataset not found</source>
        <translation>データセットが見つかりません</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The project&apos;s settings are shown; open its dataset folder: {0}</source>
        <translation>プロジェクトの設定を表示しました。データセットのフォルダーを開いてください: {0}</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Project opened: {0} (its dataset moved: save the project to remember where)</source>
        <translation>プロジェクトを開きました: {0}（データセットが移動しています。新しい場所を記録するにはプロジェクトを保存してください）</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Project opened: {0}</source>
        <translation>プロジェクトを開きました: {0}</translation>
    </message>
</context>
<context>
    <name>ReliabilityView</name>
    <message>
        <location filename="../../tlgui/gui/widgets/calibration_plot.py" line="+81"/>
        <source>Expected calibration error: how far the model&apos;s confidence is from its accuracy, averaged over 15 confidence bins (0 = its probabilities mean what they say). The temperature is fitted on the validation split, so its ECE after calibration is optimistic; the test split&apos;s is not.</source>
        <translation>期待較正誤差（ECE）: モデルの確信度が正解率からどれだけずれているかを、15 個の確信度区間で平均したものです（0 = 確率が言葉どおりの意味を持つ）。温度は検証データで合わせるので、検証データの較正後の ECE は楽観的な値になります。テストデータの値はそうではありません。</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>No calibration figures saved with these results: use “Evaluate on dataset”.</source>
        <translation>この結果には較正の値が保存されていません。「データセットで評価」を使ってください。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>ECE %1 % with temperature %2 (%3 % without)</source>
        <translation>ECE %1 %、温度 %2（較正なしでは %3 %）</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Before: ECE %1 %</source>
        <translation>較正前: ECE %1 %</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>After (T = %1): ECE %2 %</source>
        <translation>較正後（T = %1）: ECE %2 %</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>confidence</source>
        <translation>確信度</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>accuracy</source>
        <translation>正解率</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>gap to confidence</source>
        <translation>確信度との差</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>calibrated</source>
        <translation>較正後</translation>
    </message>
</context>
<context>
    <name>ResultsPage</name>
    <message>
        <location filename="../../tlgui/gui/pages/results.py" line="+72"/>
        <source>Row-normalised</source>
        <translation>行ごとに正規化</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Show each row as fractions of the true class (recall) instead of counts</source>
        <translation>各行を件数ではなく正解クラスに対する割合（再現率）で表示します</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Evaluate on dataset</source>
        <translation>データセットで評価</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+133"/>
        <source>Run the model on the dataset&apos;s val/test images to list its mistakes</source>
        <translation>データセットの検証・テスト画像でモデルを実行し、誤りを一覧にします</translation>
    </message>
    <message>
        <location line="-124"/>
        <source>Split:</source>
        <translation>分割:</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Class</source>
        <translation>クラス</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Precision</source>
        <translation>適合率</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Recall</source>
        <translation>再現率</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>F1</source>
        <translation>F1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Support</source>
        <translation>件数</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Confusion matrix</source>
        <translation>混同行列</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Calibration</source>
        <translation>較正</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Confusion matrix and per-class metrics</source>
        <translation>混同行列とクラスごとの指標</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Mistakes, highest loss first</source>
        <translation>誤分類（損失の大きい順）</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Setting</source>
        <translation>設定</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Value</source>
        <translation>値</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Training history and configuration</source>
        <translation>学習の履歴と設定</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Results of the last training run.</source>
        <translation>直前の学習の結果です。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The run ended before any evaluation.</source>
        <translation>評価の前に学習が終わりました。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Metrics saved with the model. Evaluate on the dataset to see its mistakes.</source>
        <translation>モデルと一緒に保存された指標です。誤分類を見るにはデータセットで評価してください。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Metrics saved with the model. Open a dataset to evaluate it and see its mistakes.</source>
        <translation>モデルと一緒に保存された指標です。データセットを開いて評価すると誤分類を確認できます。</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>Open a dataset first</source>
        <translation>先にデータセットを開いてください</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>The dataset&apos;s classes (%1) do not match the model&apos;s (%2).</source>
        <translation>データセットのクラス（%1）がモデルのクラス（%2）と一致しません。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Evaluating on the dataset…</source>
        <translation>データセットで評価中…</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Evaluated on %1 with TTA.</source>
        <translation>%1 で TTA ありで評価しました。</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Evaluated on %1.</source>
        <translation>%1 で評価しました。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Evaluation failed: %1</source>
        <translation>評価に失敗しました: %1</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Validation</source>
        <translation>検証</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Test</source>
        <translation>テスト</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>No results yet</source>
        <translation>まだ結果がありません</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1, with TTA</source>
        <translation>%1、TTA あり</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Accuracy %1 % on %2 images (%3)</source>
        <translation>正解率 %1 %（%2 枚、%3）</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>true class</source>
        <translation>正解クラス</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>predicted class</source>
        <translation>予測クラス</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>No per-image results: use “Evaluate on dataset”.</source>
        <translation>画像ごとの結果がありません。「データセットで評価」を使ってください。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No per-image results.</source>
        <translation>画像ごとの結果がありません。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>No mistakes on these %1 images.</source>
        <translation>この %1 枚に誤分類はありません。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1 of %2 images wrong (showing %3). Click one to see where the model looked (Grad-CAM).</source>
        <translation>%2 枚中 %1 枚が誤分類です（%3 枚を表示）。クリックするとモデルが注目した場所（Grad-CAM）を表示します。</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>train</source>
        <translation>訓練</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>val</source>
        <translation>検証</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>loss</source>
        <translation>損失</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>accuracy</source>
        <translation>正解率</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>epoch</source>
        <translation>エポック</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>off</source>
        <translation>オフ</translation>
    </message>
</context>
<context>
    <name>RunPicker</name>
    <message>
        <location filename="../../tlgui/gui/widgets/run_picker.py" line="+66"/>
        <source>The last run ({0}, {1}/{2} epochs) did not finish: File ▸ Resume Run… continues it.</source>
        <translation>前回の学習（{0}、{1}/{2} エポック）は完了していません。ファイル ▸ 学習を再開… で続きを実行できます。</translation>
    </message>
</context>
<context>
    <name>RunPickerDialog</name>
    <message>
        <location line="+15"/>
        <source>Resume a run</source>
        <translation>学習を再開</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Unfinished runs in {0}, newest first:</source>
        <translation>{0} にある未完了の学習（新しい順）:</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No unfinished runs in {0}. Use Browse… to pick a run folder.</source>
        <translation>{0} に未完了の学習はありません。「参照…」で学習のフォルダーを選んでください。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Started</source>
        <translation>開始日時</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Dataset</source>
        <translation>データセット</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Backbone</source>
        <translation>バックボーン</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Epochs</source>
        <translation>エポック</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Status</source>
        <translation>状態</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>interrupted</source>
        <translation>中断</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>stopped</source>
        <translation>停止</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>failed</source>
        <translation>失敗</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>Resume</source>
        <translation>再開</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Browse…</source>
        <translation>参照…</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Choose a run folder</source>
        <translation>学習のフォルダーを選択</translation>
    </message>
</context>
<context>
    <name>RunsDialog</name>
    <message>
        <location filename="../../tlgui/gui/runs_view.py" line="+64"/>
        <source>Runs</source>
        <translation>学習の履歴</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Date</source>
        <translation>日時</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+162"/>
        <source>Dataset</source>
        <translation>データセット</translation>
    </message>
    <message>
        <location line="-161"/>
        <source>Backbone</source>
        <translation>バックボーン</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Mode</source>
        <translation>モード</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Epochs</source>
        <translation>エポック</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Best accuracy</source>
        <translation>最良の正解率</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+159"/>
        <source>Status</source>
        <translation>状態</translation>
    </message>
    <message>
        <location line="-139"/>
        <source>Setting</source>
        <translation>設定</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Value</source>
        <translation>値</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Curves</source>
        <translation>学習曲線</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Settings</source>
        <translation>設定</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Compare</source>
        <translation>比較</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Select two runs</source>
        <translation>学習を 2 つ選んでください</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Resume</source>
        <translation>再開</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Continue an unfinished run</source>
        <translation>未完了の学習の続きを実行します</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Delete…</source>
        <translation>削除…</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Delete the selected runs</source>
        <translation>選んだ学習を削除します</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>Runs in {0}, newest first:</source>
        <translation>{0} にある学習（新しい順）:</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No runs in {0} yet.</source>
        <translation>{0} にはまだ学習の記録がありません。</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>Transfer</source>
        <translation>転移学習</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Fine-tune</source>
        <translation>ファインチューニング</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Staged</source>
        <translation>段階的</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>training</source>
        <translation>学習中</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>interrupted</source>
        <translation>中断</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>finished</source>
        <translation>完了</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>stopped</source>
        <translation>停止</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>failed</source>
        <translation>失敗</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>Cannot open the run</source>
        <translation>学習の記録を開けません</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Run of {0}</source>
        <translation>{0} の学習</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Folder</source>
        <translation>フォルダー</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Validation share</source>
        <translation>検証データの割合</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Started</source>
        <translation>開始日時</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Last change</source>
        <translation>最終更新</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Model file</source>
        <translation>モデルファイル</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Error</source>
        <translation>エラー</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>Solid lines: run A ({0}). Dashed lines: run B ({1}).</source>
        <translation>実線: 学習 A（{0}）。破線: 学習 B（{1}）。</translation>
    </message>
    <message>
        <location line="+27"/>
        <location line="+20"/>
        <source>Cannot delete the run</source>
        <translation>学習の記録を削除できません</translation>
    </message>
    <message>
        <location line="-19"/>
        <source>This run is training now; stop it first.</source>
        <translation>この学習は実行中です。先に停止してください。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Delete {0} run(s)? Their curves, settings and resume checkpoints are removed; saved models stay.</source>
        <translation>{0} 件の学習を削除しますか？ 学習曲線、設定、再開用のチェックポイントが削除されます。保存したモデルは残ります。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>A run marked interrupted that is still training elsewhere fails.</source>
        <translation>「中断」と表示されていても別の場所で学習中のものは、失敗します。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Delete runs</source>
        <translation>学習の記録を削除</translation>
    </message>
</context>
<context>
    <name>ServerRunDialog</name>
    <message>
        <location filename="../../tlgui/gui/server_run.py" line="-73"/>
        <source>Run on a server</source>
        <translation>サーバーで学習</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Saved {0}.

Copy it to the server (with the dataset, or give the dataset&apos;s folder on the server after the file name) and run this there: one process per GPU, the model saved next to the run file. Several machines: see the README, &quot;Training on a server or several GPUs&quot;.</source>
        <translation>{0} を保存しました。

これをサーバーにコピーし（データセットも一緒に。またはファイル名のあとにサーバー上のデータセットのフォルダーを指定）、サーバーで次のコマンドを実行してください。GPU ごとに 1 プロセスで実行し、モデルは学習ファイルの隣に保存されます。複数のマシンを使う場合は README の「Training on a server or several GPUs」を参照してください。</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Copy</source>
        <translation>コピー</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Copied</source>
        <translation>コピーしました</translation>
    </message>
</context>
<context>
    <name>TopKDelegate</name>
    <message>
        <location filename="../../tlgui/gui/widgets/topk_delegate.py" line="+45"/>
        <source>Not sure — the model&apos;s best guesses:</source>
        <translation>自信なし — モデルの上位の予測:</translation>
    </message>
</context>
<context>
    <name>TrainForm</name>
    <message>
        <location filename="../../tlgui/gui/pages/train_form.py" line="+53"/>
        <source>SGD (momentum)</source>
        <translation>SGD（モーメンタム）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Cosine with warm-up</source>
        <translation>ウォームアップ付きコサイン</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>One-cycle</source>
        <translation>One-cycle</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Step (÷10 every third)</source>
        <translation>ステップ（3 分の 1 ごとに ÷10）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Constant</source>
        <translation>一定</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Automatic</source>
        <translation>自動</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>ImageNet (pretrained)</source>
        <translation>ImageNet（事前学習済み）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>None (random start)</source>
        <translation>なし（ランダムな初期値）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>From file…</source>
        <translation>ファイルから…</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Transfer</source>
        <translation>転移学習</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Freeze the pretrained backbone and train only the new output layer: fast, and enough with a few dozen images per class.</source>
        <translation>事前学習済みのバックボーンを凍結し、新しい出力層だけを学習します。速く、クラスごとに数十枚の画像で十分です。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Fine-tune</source>
        <translation>ファインチューニング</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Train every layer, the pretrained ones with a small learning rate and the new head with a larger one: slower, best with more data.</source>
        <translation>すべての層を学習します。事前学習済みの層は小さな学習率で、新しいヘッドは大きな学習率で学習します。時間はかかりますが、データが多いときに最適です。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Staged</source>
        <translation>段階的</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>First a few epochs with the backbone frozen, then unfreeze and train everything with the two learning rates.</source>
        <translation>最初の数エポックはバックボーンを凍結して学習し、そのあと凍結を解除して 2 つの学習率ですべての層を学習します。</translation>
    </message>
    <message>
        <location line="+87"/>
        <source>&lt;h2&gt;Training&lt;/h2&gt;</source>
        <translation>&lt;h2&gt;学習&lt;/h2&gt;</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>Model</source>
        <translation>モデル</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Mode</source>
        <translation>モード</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>Hyper-parameters</source>
        <translation>ハイパーパラメーター</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Suggest…</source>
        <translation>推奨値…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Run a short learning-rate range test on your data and pick a good value</source>
        <translation>データで短い学習率レンジテストを行い、よい値を選びます</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>off</source>
        <translation>なし</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Class-weighted loss (for imbalanced data)</source>
        <translation>クラス重み付き損失（クラスに偏りがあるデータ向け）</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Choose a weights file</source>
        <translation>重みファイルを選択</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>PyTorch state dict (*.pt *.pth *.bin);;All files (*)</source>
        <translation>PyTorch の state dict (*.pt *.pth *.bin);;すべてのファイル (*)</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>ImageNet weights for {0} are not on this computer yet: they are downloaded once when training starts.</source>
        <translation>{0} の ImageNet の重みはまだこのコンピューターにありません。学習の開始時に一度だけダウンロードします。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Random start: needs far more images and epochs than pretrained weights.</source>
        <translation>ランダムな初期値: 事前学習済みの重みよりもはるかに多くの画像とエポックが必要です。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source> ✓ offline</source>
        <translation> ✓ オフライン</translation>
    </message>
    <message>
        <location line="+0"/>
        <source> · download</source>
        <translation> · 要ダウンロード</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>ImageNet weights are on this computer</source>
        <translation>ImageNet の重みはこのコンピューターにあります</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>ImageNet weights are downloaded once on first use</source>
        <translation>ImageNet の重みは初めて使うときに一度だけダウンロードします</translation>
    </message>
</context>
<context>
    <name>TrainPage</name>
    <message>
        <location filename="../../tlgui/gui/pages/train.py" line="+102"/>
        <source>Start training</source>
        <translation>学習を開始</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Start training (Ctrl+Return)</source>
        <translation>学習を開始 (Ctrl+Return)</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Stop after the current batch (Esc)</source>
        <translation>現在のバッチのあとで停止します (Esc)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Resume…</source>
        <translation>再開…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Continue a run that was stopped, failed or interrupted</source>
        <translation>停止・失敗・中断した学習の続きを実行します</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Save model…</source>
        <translation>モデルを保存…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Inspect model…</source>
        <translation>モデルを確認…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>What these settings train, the preprocessing, and a picture through the network, before training</source>
        <translation>学習の前に、この設定で学習される層、前処理、ネットワークに画像を通した結果を確認します</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Ready</source>
        <translation>準備完了</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Load a dataset, pick a mode and press Start.</source>
        <translation>データセットを読み込み、モードを選んで「学習を開始」を押してください。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>A checkpoint is kept here after every epoch: File ▸ Resume Run… continues the run if it is stopped or interrupted.</source>
        <translation>エポックごとにここへチェックポイントを保存します。停止や中断をしても ファイル ▸ 学習を再開… で続きを実行できます。</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Epoch</source>
        <translation>エポック</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Train loss</source>
        <translation>訓練損失</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Train acc</source>
        <translation>訓練正解率</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Val loss</source>
        <translation>検証損失</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Val acc</source>
        <translation>検証正解率</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Learning rate</source>
        <translation>学習率</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Time</source>
        <translation>時間</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Best</source>
        <translation>最良</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>{0} classes, {1} training and {2} validation images. Ready to train.</source>
        <translation>{0} クラス、訓練画像 {1} 枚、検証画像 {2} 枚。学習の準備ができました。</translation>
    </message>
    <message>
        <location line="+60"/>
        <source>Load a dataset first.</source>
        <translation>先にデータセットを読み込んでください。</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Stopping…</source>
        <translation>停止中…</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Preparing the model…</source>
        <translation>モデルを準備中…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Resuming the run…</source>
        <translation>学習を再開中…</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Loading the backbone…</source>
        <translation>バックボーンを読み込み中…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Run folder: {0}</source>
        <translation>学習のフォルダー: {0}</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Frozen backbone on {0}</source>
        <translation>{0} 上の凍結したバックボーン</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>, frozen features cached</source>
        <translation>、凍結した特徴量をキャッシュ</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Training {0} ({1}) on {2}: {3} train / {4} val images{5}</source>
        <translation>{0}（{1}）を {2} で学習中: 訓練画像 {3} 枚 / 検証画像 {4} 枚{5}</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Epoch {0}/{1}</source>
        <translation>エポック {0}/{1}</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>computing frozen features</source>
        <translation>凍結した特徴量を計算中</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>train</source>
        <translation>訓練</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>validate</source>
        <translation>検証</translation>
    </message>
    <message>
        <location line="+2"/>
        <source> · about {0} left</source>
        <translation> · 残り約 {0}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Epoch {0}/{1} · {2} {3}/{4}{5}</source>
        <translation>エポック {0}/{1} · {2} {3}/{4}{5}</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>Downloading {0} weights: {1:.1f} MB</source>
        <translation>{0} の重みをダウンロード中: {1:.1f} MB</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Stopped before the first epoch ended.</source>
        <translation>最初のエポックが終わる前に停止しました。</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+7"/>
        <source>Stopped</source>
        <translation>停止</translation>
    </message>
    <message>
        <location line="-5"/>
        <source>Training failed: {0}</source>
        <translation>学習に失敗しました: {0}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Failed</source>
        <translation>失敗</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Stopped after {0} epoch(s).</source>
        <translation>{0} エポックで停止しました。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Stopped early: no improvement for {0} epochs.</source>
        <translation>早期終了: {0} エポックのあいだ改善しませんでした。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Finished {0} epochs.</source>
        <translation>{0} エポックの学習が完了しました。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Done in {0}</source>
        <translation>完了（{0}）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Best epoch {0}: validation accuracy {1:.1%}.</source>
        <translation>最良のエポック {0}: 検証正解率 {1:.1%}。</translation>
    </message>
</context>
<context>
    <name>TtaCheck</name>
    <message>
        <location filename="../../tlgui/gui/pages/results_parts.py" line="+58"/>
        <source>Average with the mirrored image (TTA)</source>
        <translation>左右反転画像と平均する（TTA）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Test-time augmentation: score each image and its left-right mirror image and average the two predictions, as “tlgui evaluate --tta” does. Evaluation takes about twice as long.</source>
        <translation>テスト時データ拡張: “tlgui evaluate --tta” と同じく、各画像とその左右反転画像を評価して 2 つの予測を平均します。評価には約 2 倍の時間がかかります。</translation>
    </message>
</context>
</TS>
